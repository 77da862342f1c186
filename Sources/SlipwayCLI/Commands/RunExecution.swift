import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayRunner

/// Runs scheduled jobs for `run` and `resume`: secrets, executables, artifacts, locks, reporters
/// (the terminal and the run store), signals, and the closing message and exit code.
struct RunExecution {

    let session: SpecSession
    let pipeline: Pipeline
    let event: Event
    let jobs: [ScheduledJob]
    let runID: String
    let options: RunOptions
    let store: RunStore
    let root: String
    var approved: Set<String>
    var succeeded: Set<String> = []
    var attemptBase: [String: Int] = [:]
    /// Whether this continues an earlier run (`resume`), for what messages suggest.
    var resuming = false
    /// The commit this run's successes mark, when it runs the default branch's head.
    var marksCommit: String?

    func execute() async throws {
        var secretValues: [String: String] = [:]
        var environment = ProcessInfo.processInfo.environment
        // Tools `slipway tools install` put in the cache come first, as in CI.
        environment["PATH"] = ToolCache(state: StateDirectory(root: root)).path(
            for: pipeline.tools, before: environment["PATH"])
        for name in pipeline.spec.secrets { secretValues[name] = environment[name] }
        if let envFile = options.envFile {
            guard let data = FileManager.default.contents(atPath: envFile) else {
                throw session.fail(
                    "cannot read the env-file '\(envFile)'", notes: ["check the path; it holds NAME=value lines"])
            }
            let parsed = EnvFile.parse(String(decoding: data, as: UTF8.self))
            if !parsed.problems.isEmpty {
                for problem in parsed.problems.dropLast() {
                    session.printError("\(envFile):\(problem.line): \(problem)")
                }
                throw session.fail(
                    "\(envFile):\(parsed.problems[parsed.problems.count - 1].line): \(parsed.problems[parsed.problems.count - 1])",
                    notes: [
                        "no job was started; values are not shown here, since they may be secrets",
                        "each line is NAME=value; quote a value with spaces or several lines: KEY=\"-----BEGIN …\" over as many lines as it takes",
                    ])
            }
            for (name, value) in parsed.values { secretValues[name] = value }
        }
        for name in pipeline.spec.secrets {
            guard let value = secretValues[name], !value.isEmpty,
                value.utf8.count < SecretMasker.shortestUnremarkableValue
            else { continue }
            session.terminal.printWarning(
                "the value of \(name) is only \(value.count) character\(value.count == 1 ? "" : "s") long",
                notes: [
                    "it is masked, so every occurrence of those characters in the output becomes ***; if it is a real secret, it is too short to be safe"
                ])
        }
        let toBeRun = jobs.map(\.id).filter { !succeeded.contains($0) }
        let imaged = toBeRun.filter { pipeline.instance($0)?.image != nil }
        if !imaged.isEmpty && options.format == .text {
            session.terminal.printWarning(
                "\(imaged.joined(separator: ", ")) name\(imaged.count == 1 ? "s" : "") an image, which slipway run does not use",
                notes: ["here the scripts run on this machine, with the tools on its PATH; CI runs them in the image"])
        }
        let missing = JobEnvironment.missingSecrets(of: toBeRun, in: pipeline, secretValues: secretValues)
        if !missing.isEmpty {
            throw session.fail(
                "no value for \(missing.map { "\($0.secret) (needed by \($0.job))" }.joined(separator: ", "))",
                notes: [
                    "export it, or put NAME=value in a file and pass --env-file FILE"
                        + (resuming
                            ? "; a resumed run keeps its approvals but not its secrets: `slipway resume \(runID) --env-file FILE`"
                            : "")
                ])
        }

        let tools = await ToolCheck(path: environment["PATH"]).problems(for: toBeRun, in: pipeline)
        if !tools.isEmpty {
            for problem in tools.dropLast() { session.printError(Self.describe(problem)) }
            throw session.fail(
                Self.describe(tools[tools.count - 1]),
                notes: [
                    "no job was started",
                    "`slipway tools install` downloads the pinned versions, verifies them and puts them in .slipway/tools, which runs use first",
                    "`slipway doctor` shows every pinned tool and which jobs run it",
                ], status: ExitStatus.failed)
        }

        // Only now, with secrets and tools in place, does a resumed run count as running again: a
        // resume that stops at a check leaves the run as it was (paused stays paused).
        if resuming { try store.setStatus(run: runID, .running, pid: getpid()) }
        let state = StateDirectory(root: root)
        let logs = try RunLogs(directory: state.run(runID))
        let executables = JobEnvironment.executables(
            for: jobs.map(\.id), in: pipeline, root: root, base: environment, secretValues: secretValues,
            runID: runID, event: event, summaryDirectory: logs.directory)

        let interactive = isatty(STDOUT_FILENO) == 1 && options.format == .text
        let live = interactive ? LiveRunReporter(terminal: session.terminal, logs: logs) : nil
        let reporter: any RunReporting
        if options.format == .json {
            let json = JSONRunReporter(terminal: session.terminal, runID: runID)
            json.runStarted(event: event.rawValue, jobs: jobs.map(\.id))
            reporter = json
        } else if let live {
            reporter = live
        } else {
            reporter = LineRunReporter(terminal: session.terminal, logs: logs, attemptBase: attemptBase)
        }
        // On a terminal, a gate asks; with --no-input, or without a terminal, it pauses the run.
        var approver: (@Sendable (String) async -> Bool)?
        if isatty(STDIN_FILENO) == 1 && !options.noInput {
            let prompter = GatePrompter(terminal: session.terminal, live: live)
            // Say what a yes covers: an environment's gate is one approval for all of the run's
            // changes to it.
            let details = Dictionary(
                uniqueKeysWithValues: jobs.map { job in
                    let covered = jobs.filter { $0.gated && $0.gateKey == job.gateKey }.map(\.id)
                    var detail =
                        pipeline.instance(job.id).map {
                            $0.mutates ? "changes \($0.environment ?? "infrastructure")" : "gated"
                        } ?? "gated"
                    if covered.count > 1 {
                        detail += "; also approves \(covered.filter { $0 != job.id }.joined(separator: ", "))"
                    }
                    return (job.id, detail)
                })
            approver = { job in await prompter.ask(job, detail: details[job] ?? "gated") }
        }
        if options.format == .text {
            session.terminal.write(
                "Run \(runID): \(jobs.count) job\(jobs.count == 1 ? "" : "s") for \(event.rawValue)\n")
        }
        // Only a person at this terminal approves during the run; asking git who that is costs a
        // process, so it is asked only then.
        let recorder = StoreRecorder(
            store: store, run: runID, base: attemptBase,
            approver: approver == nil ? "" : await Person.identify(in: root))
        let driver = RunDriver(
            jobs: jobs, executables: executables, parallelism: options.parallelism, approved: approved,
            succeeded: succeeded, attemptBase: attemptBase, approver: approver,
            reporter: CompositeReporter([recorder, reporter]),
            logs: logs, store: ArtifactStore(root: root, directory: state.artifacts(ofRun: runID)),
            artifacts: JobArtifacts.map(for: jobs, in: pipeline),
            locking: RunLocking(
                runID: runID, directory: state.locks,
                timeout: .seconds(options.lockTimeout.flatMap(DurationParser.seconds(from:)) ?? 0),
                environments: RunLocking.environments(for: jobs, in: pipeline)))
        let signals = InterruptSignals { Task { await driver.interrupt() } }
        let outcome = await driver.run()
        signals.cancel()
        if let marksCommit { await MarkWriting.record(run: runID, at: marksCommit, execution: self) }
        switch outcome {
        case .succeeded, .interrupted:
            break
        case .failed(let failed):
            session.printError(
                "\(failed.joined(separator: ", ")) failed",
                notes: [
                    "`slipway logs \(failed.first ?? "JOB")` prints its output (all logs are in \(logs.directory))",
                    "fix it, then `slipway resume \(runID)` runs what failed and what waited for it",
                ])
        case .paused(let awaiting):
            session.printError(
                "waiting for approval: \(awaiting.joined(separator: ", ")) — run \(runID) is paused",
                notes: awaiting.map { "run `slipway approve \($0)`, then `slipway resume`" })
        }
        if let failure = recorder.failure {
            session.printError(
                "the run store could not record everything: \(failure)",
                notes: [
                    "the jobs ran as printed above, but `slipway status` and `resume` may miss some of it",
                    "check that .slipway/ is writable and the disk has space",
                ])
        }
        throw ExitCode(outcome.exitCode)
    }

    /// What is wrong with a pinned tool, naming the jobs that run it.
    static func describe(_ problem: ToolProblem) -> String {
        let jobs = problem.jobs.joined(separator: ", ")
        return "\(jobs) run\(problem.jobs.count == 1 ? "s" : "") \(ToolWords.state(problem.tool, problem.state))"
    }
}

extension SpecSession {
    /// Opens the repository's run store (creating `.slipway/` and its `.gitignore` first), or
    /// fails saying what to check.
    func openStore(_ state: StateDirectory, beforeRunning: Bool = false) throws -> RunStore {
        do {
            try state.prepare()
            return try RunStore(path: state.database)
        } catch {
            throw fail(
                "\(error)",
                notes: (beforeRunning ? ["no job was started"] : []) + [
                    "check that \(state.path) is writable and the disk has space; if it names a damaged database, move \(state.database) aside (it holds only past runs)"
                ], status: ExitStatus.failed)
        }
    }
}
