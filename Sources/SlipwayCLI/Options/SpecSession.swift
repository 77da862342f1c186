import ArgumentParser
import Foundation
import SlipwayCore

/// Loads and validates the spec, printing diagnostics; shared by every command that needs a pipeline.
struct SpecSession {
    let options: GlobalOptions
    let terminal: Terminal

    init(options: GlobalOptions) {
        self.options = options
        self.terminal = options.terminal
    }

    /// The pipeline, or exit 2 after printing its errors (and warnings when `showWarnings`).
    func pipeline(showWarnings: Bool) throws -> (pipeline: Pipeline, diagnostics: [Diagnostic]) {
        let result = validate()
        let shown = showWarnings ? result.diagnostics : result.diagnostics.filter { $0.severity == .error }
        printDiagnostics(shown)
        guard let pipeline = result.pipeline else { throw ExitStatus.usage }
        return (pipeline, result.diagnostics)
    }

    func validate() -> ValidationResult {
        SpecValidator.pipeline(path: options.spec, displayName: options.spec)
    }

    func printDiagnostics(_ diagnostics: [Diagnostic]) {
        guard !diagnostics.isEmpty else { return }
        let source = try? DiskFileReader().readText(at: options.spec)
        let printer = DiagnosticPrinter(palette: terminal.err, source: source)
        terminal.writeError(printer.render(diagnostics))
        if let summary = printer.summary(diagnostics, file: options.spec) { terminal.writeError(summary) }
    }

    /// Prints a plain error with notes.
    func printError(_ message: String, notes: [String] = []) {
        terminal.printError(message, notes: notes)
    }

    /// Fails for a job id that is not among `known`: `message`, then the closest known id, or
    /// the known ids themselves when none is close.
    func unknownJob(_ message: String, id: String, known: [String]) -> ExitCode {
        if let suggestion = Suggestion.closest(to: id, in: known) {
            return fail(message, notes: ["did you mean '\(suggestion)'?"])
        }
        let shown = known.prefix(12).joined(separator: ", ")
        let more = known.count > 12 ? ", and \(known.count - 12) more" : ""
        return fail(message, notes: [known.isEmpty ? "there are no jobs" : "the jobs are \(shown)\(more)"])
    }

    /// Prints a plain error with notes and returns `status` to exit with.
    func fail(_ message: String, notes: [String] = [], status: ExitCode = ExitStatus.usage) -> ExitCode {
        printError(message, notes: notes)
        return status
    }
}
