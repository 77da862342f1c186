import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayRunner

/// The options `run` and `resume` share.
struct RunOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(name: .customLong("jobs"), help: "How many jobs may run at once (default: the number of CPUs).")
    var jobsOption: Int?

    /// How many jobs may run at once: `--jobs`, else one per CPU.
    var parallelism: Int { jobsOption ?? ProcessInfo.processInfo.activeProcessorCount }

    @Option(
        name: .customLong("env-file"), help: ArgumentHelp("NAME=value lines with secret values.", valueName: "file"))
    var envFile: String?

    @Option(
        name: .customLong("approve"), help: ArgumentHelp("Approve a gated job ahead (repeatable).", valueName: "id"))
    var approvals: [String] = []

    @Flag(name: .customLong("no-input"), help: "Never ask; a gated job that is not approved pauses the run.")
    var noInput = false

    @Option(
        name: .customLong("lock-timeout"),
        help: ArgumentHelp(
            "How long a mutating job waits for its environment's lock (default: fail at once).", valueName: "duration"))
    var lockTimeout: String?

    @Option(help: "Output format: text ([job] lines) or json (one event per line).")
    var format: Format = .text

    func validate() throws {
        if let jobsOption, jobsOption < 1 { throw ValidationError("--jobs must be at least 1") }
        if let lockTimeout, DurationParser.seconds(from: lockTimeout) == nil {
            throw ValidationError("--lock-timeout takes a duration such as 30s, 5m or 1h30m, not '\(lockTimeout)'")
        }
    }

}
