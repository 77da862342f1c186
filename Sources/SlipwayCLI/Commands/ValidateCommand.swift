import ArgumentParser
import Foundation
import SlipwayCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check slipway.yml and report every problem at once.",
        discussion: """
            Prints compiler-style diagnostics (file:line:column: error: message) with
            notes that say what to do. Exits 0 when the spec is valid (warnings allowed)
            and 2 when it has errors.

            Examples:
              slipway validate
              slipway validate --spec infra/slipway.yml
              slipway validate --format json | jq '.[] | select(.severity == "error")'
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var options: GlobalOptions

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() throws {
        let session = SpecSession(options: options)
        let result = session.validate()
        switch format {
        case .text:
            session.printDiagnostics(result.diagnostics)
            if !result.diagnostics.hasErrors, let pipeline = result.pipeline {
                let count = pipeline.instances.count
                session.terminal.write("\(options.spec) is valid: \(count) job\(count == 1 ? "" : "s").\n")
            }
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(result.diagnostics.map(DiagnosticDocument.init))
            session.terminal.write(String(decoding: data, as: UTF8.self) + "\n")
        }
        if result.diagnostics.hasErrors { throw ExitStatus.usage }
    }
}

/// A diagnostic as JSON, for editors and scripts.
private struct DiagnosticDocument: Encodable {
    let severity: String
    let file: String?
    let line: Int?
    let column: Int?
    let message: String
    let notes: [String]

    init(_ diagnostic: Diagnostic) {
        severity = diagnostic.severity.rawValue
        file = diagnostic.location?.file
        line = diagnostic.location?.line
        column = diagnostic.location?.column
        message = diagnostic.message
        notes = diagnostic.notes.map { note in note.location.map { "\($0): \(note.message)" } ?? note.message }
    }
}
