import ArgumentParser
import Foundation
import SlipwayCore

/// The `slipway` command: a GitOps delivery pipeline from one spec.
public struct SlipwayCommand: AsyncParsableCommand {
    /// The version `slipway --version` prints.
    public static let version = "0.1.0-dev"

    public static let configuration = CommandConfiguration(
        commandName: "slipway",
        abstract: "One spec, slipway.yml, for a Kubernetes platform repository's whole delivery pipeline.",
        discussion: """
            Exit codes: 0 ok, 1 a job or check failed, 2 bad usage or invalid spec, 3
            paused at a gate, 130 interrupted.

            Examples:
              slipway init platform --preset kkp --git github --cloud aws
              slipway validate
              slipway plan --event pull_request --base origin/main
              slipway run --event push --env-file .env
              slipway generate --check
              slipway graph --format mermaid
            """,
        version: version,
        subcommands: [
            InitCommand.self, ValidateCommand.self, PlanCommand.self, RunCommand.self, StatusCommand.self,
            RunsCommand.self,
            LogsCommand.self,
            ApproveCommand.self, ResumeCommand.self, CancelCommand.self, GenerateCommand.self, GraphCommand.self,
            MarksCommand.self, DoctorCommand.self, ToolsCommand.self, SchemaCommand.self,
        ]
    )

    public init() {}

    /// Parses the arguments, runs the command and exits with the documented codes: argument errors
    /// exit 2, not ArgumentParser's 64.
    public static func entryPoint(_ arguments: [String]? = nil) async {
        RainbowSetup.configure()
        // ArgumentParser answers `slipway help <unknown>` with the root help and exit 0.
        let given = arguments ?? Array(CommandLine.arguments.dropFirst())
        if given.count >= 2, given[0] == "help", !given[1].hasPrefix("-") {
            let known = configuration.subcommands.map { $0._commandName }
            if !known.contains(given[1]) {
                var notes = ["the commands are \(known.joined(separator: ", "))"]
                if let suggestion = Suggestion.closest(to: given[1], in: known) {
                    notes.insert("did you mean '\(suggestion)'?", at: 0)
                }
                Terminal(noColor: false).printError("slipway has no command '\(given[1])'", notes: notes)
                Foundation.exit(ExitStatus.usage.rawValue)
            }
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            exit(withError: code)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                // Bad usage in Slipway's own format: the problem, then ArgumentParser's help,
                // usage and pointer to --help as notes.
                var lines = fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: true).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                var message = lines.isEmpty ? "\(error)" : lines.removeFirst()
                if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
                let notes = lines.map { $0.prefix(1).lowercased() + $0.dropFirst() }
                Terminal(noColor: false).printError(message, notes: notes)
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            // Help and version requests.
            if code == .success { exit(withError: error) }
            // An error no command turned into a diagnostic still gets our format, never
            // ArgumentParser's bare "Error:".
            Terminal(noColor: false).printError(
                "\(error)",
                notes: [
                    "slipway stopped here; what ran before this message is in the output above",
                    "if this message does not say what to do, report it with the command you ran",
                ])
            Foundation.exit(ExitStatus.failed.rawValue)
        }
    }
}
