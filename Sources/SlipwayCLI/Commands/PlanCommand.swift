import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayRunner

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show which jobs an event runs, and why.",
        discussion: """
            The change set comes from git, or from you:
              pull_request  merge-base(--base, --head)..--head   (--base defaults to origin/<defaultBranch>)
              push          --before..--after                    (defaults to HEAD^..HEAD; an all-zero
                                                                  or unknown --before means every file)
              manual, schedule                                   (every job that listens runs; paths do not apply)
            --changed and --changed-from bypass git.

            Examples:
              slipway plan --event pull_request --base origin/main
              slipway plan --event push --before "$BEFORE_SHA" --after "$GITHUB_SHA" --format json
              git diff --name-only main | slipway plan --event pull_request --changed-from -
              slipway plan --event pull_request --base main --format markdown >> "$GITHUB_STEP_SUMMARY"
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown
    }

    @OptionGroup var options: GlobalOptions

    @OptionGroup var changes: ChangeSetOptions

    @Option(help: "Output format: text, json or markdown.")
    var format: Format = .text

    func run() async throws {
        let session = SpecSession(options: options)
        let (pipeline, _) = try session.pipeline(showWarnings: false)
        let plan = try await changes.plan(pipeline, session: session)
        switch format {
        case .text: session.terminal.write(PlanTextRenderer(palette: session.terminal.out).render(plan))
        case .json: session.terminal.write(String(decoding: try plan.jsonData(), as: UTF8.self) + "\n")
        case .markdown: session.terminal.write(plan.markdown())
        }
    }
}

extension Event: ExpressibleByArgument {}

/// A change list that could not be read.
struct ChangedFileError: Error {
    let message: String
}

/// Reads and cleans hand-given change lists.
enum ChangedFiles {
    static func read(_ source: String) throws(ChangedFileError) -> [String] {
        let data: Data
        if source == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: source) else {
                throw ChangedFileError(message: "cannot read the change list '\(source)'")
            }
            data = contents
        }
        // Split raw bytes, not Characters: a change list can hold 100,000 paths.
        return data.withUnsafeBytes { buffer in
            var lines: [String] = []
            var start = 0
            for index in 0..<buffer.count where buffer[index] == UInt8(ascii: "\n") {
                if index > start {
                    lines.append(
                        String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start..<index]), as: UTF8.self))
                }
                start = index + 1
            }
            if buffer.count > start {
                lines.append(String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start...]), as: UTF8.self))
            }
            return lines
        }
    }

    /// Drops blank lines, trailing carriage returns and a leading `./`, so lists from any tool agree with git's.
    static func normalize(_ paths: [String]) -> [String] {
        paths.compactMap { raw in
            var path = Substring(raw)
            while path.hasSuffix("\r") { path = path.dropLast() }
            while path.hasPrefix("./") { path = path.dropFirst(2) }
            while path.hasPrefix("/") { path = path.dropFirst() }
            return path.isEmpty ? nil : String(path)
        }
    }
}
