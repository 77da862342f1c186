import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayRunner

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the jobs an event selects, here, the way CI would.",
        discussion: """
            Plans like `slipway plan` (same change-set options), then runs the selected jobs with
            bash -euo pipefail in dependency and promotion order, up to --jobs at once. Each job gets
            the spec's, its environment's and its own variables, SLIPWAY_* variables, and only the
            secrets it lists (from the environment or --env-file); secret values are masked as ***
            in all output and logs. Logs go to .slipway/runs/<run>/<job>.log.

            A gated job pauses the run (exit 3) unless approved ahead with --approve. Ctrl-C stops
            every job's process group (exit 130). Exit 1 when a job failed or timed out.

            Examples:
              slipway run --event pull_request --base origin/main
              slipway run --event push --env-file .env --jobs 4
              slipway run --event push --approve apply@prod
              slipway run --event manual --job nightly --dry-run
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var options: GlobalOptions

    @OptionGroup var changes: ChangeSetOptions

    @Option(name: .customLong("job"), help: ArgumentHelp("Run only this job instance (repeatable).", valueName: "id"))
    var onlyJobs: [String] = []

    @Option(name: .customLong("jobs"), help: "How many jobs may run at once (default: the number of CPUs).")
    var parallelism: Int = ProcessInfo.processInfo.activeProcessorCount

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

    @Flag(name: .customLong("dry-run"), help: "Print the plan and the exact scripts; run nothing.")
    var dryRun = false

    @Option(help: "Output format: text ([job] lines) or json (one event per line).")
    var format: Format = .text

    func validate() throws {
        if parallelism < 1 { throw ValidationError("--jobs must be at least 1") }
        if let lockTimeout, DurationParser.seconds(from: lockTimeout) == nil {
            throw ValidationError("--lock-timeout takes a duration such as 30s, 5m or 1h30m, not '\(lockTimeout)'")
        }
    }

    func run() async throws {
        let session = SpecSession(options: options)
        let (pipeline, _) = try session.pipeline(showWarnings: false)
        let plan = try await changes.plan(pipeline, session: session)
        var jobs = ScheduledJob.jobs(for: plan, in: pipeline)
        if !onlyJobs.isEmpty {
            for id in onlyJobs where pipeline.instance(id) == nil {
                let suggestion = Suggestion.closest(to: id, in: pipeline.instances.map(\.id))
                throw session.fail(
                    "'\(id)' is not a job of \(options.spec)", notes: suggestion.map { ["did you mean '\($0)'?"] } ?? []
                )
            }
            // The named jobs run whether the plan selected them or not, in execution order.
            jobs = ScheduledJob.jobs(Set(onlyJobs), in: pipeline)
        }
        for id in approvals where pipeline.instance(id) == nil {
            throw session.fail("--approve names '\(id)', which is not a job of \(options.spec)")
        }
        if dryRun {
            session.terminal.write(DryRun.render(jobs: jobs, pipeline: pipeline, plan: plan))
            return
        }
        if jobs.isEmpty {
            session.terminal.write("Nothing to run for \(changes.resolvedEvent.rawValue): no job is selected.\n")
            return
        }

        var secretValues: [String: String] = [:]
        let environment = ProcessInfo.processInfo.environment
        for name in pipeline.spec.secrets { secretValues[name] = environment[name] }
        if let envFile {
            guard let data = FileManager.default.contents(atPath: envFile) else {
                throw session.fail(
                    "cannot read the env-file '\(envFile)'", notes: ["check the path; it holds NAME=value lines"])
            }
            for (name, value) in JobEnvironment.parseEnvFile(String(decoding: data, as: UTF8.self)) {
                secretValues[name] = value
            }
        }
        let missing = jobs.compactMap(\.id).flatMap { id in
            (pipeline.instance(id)?.job.secrets ?? []).filter { secretValues[$0] == nil }.map { (id, $0) }
        }
        if !missing.isEmpty {
            throw session.fail(
                "no value for \(missing.map { "\($0.1) (needed by \($0.0))" }.joined(separator: ", "))",
                notes: ["export it, or put NAME=value in a file and pass --env-file FILE"])
        }

        let root = URL(fileURLWithPath: options.specDirectory).standardizedFileURL.path
        let runID = RunIdentifier.make()
        let logs = try RunLogs(directory: "\(root)/.slipway/runs/\(runID)")
        var executables: [String: ExecutableJob] = [:]
        let masked = Array(Set(secretValues.filter { pipeline.spec.secrets.contains($0.key) }.values))
        for job in jobs {
            guard let instance = pipeline.instance(job.id) else { continue }
            let summary = "\(logs.directory)/\(instance.slug).summary.md"
            executables[job.id] = ExecutableJob(
                id: job.id, script: instance.job.run,
                directory: instance.job.workdir.map { "\(root)/\($0)" } ?? root,
                environment: JobEnvironment.build(
                    base: environment, spec: pipeline.spec, instance: instance, secretValues: secretValues,
                    runID: runID,
                    event: changes.resolvedEvent, summaryPath: summary),
                secretValues: masked)
        }

        let reporter: any RunReporting =
            format == .json
            ? JSONRunReporter(terminal: session.terminal) : LineRunReporter(terminal: session.terminal, logs: logs)
        if format == .text {
            session.terminal.write(
                "Run \(runID): \(jobs.count) job\(jobs.count == 1 ? "" : "s") for \(changes.resolvedEvent.rawValue)\n")
        }
        var artifacts: [String: JobArtifacts] = [:]
        for job in jobs {
            guard let instance = pipeline.instance(job.id) else { continue }
            let producers = instance.needs.filter { pipeline.instance($0).map { !$0.job.produces.isEmpty } ?? false }
            artifacts[job.id] = JobArtifacts(produces: instance.job.produces, consumesFrom: producers)
        }
        let driver = RunDriver(
            jobs: jobs, executables: executables, parallelism: parallelism, approved: Set(approvals),
            reporter: reporter,
            logs: logs, store: ArtifactStore(root: root, directory: "\(logs.directory)/artifacts"),
            artifacts: artifacts,
            locking: RunLocking(
                runID: runID, directory: "\(root)/.slipway/locks",
                timeout: .seconds(lockTimeout.flatMap(DurationParser.seconds(from:)) ?? 0),
                environments: lockedEnvironments(jobs, pipeline)))
        let signals = InterruptSignals { Task { await driver.interrupt() } }
        let outcome = await driver.run()
        signals.cancel()
        switch outcome {
        case .succeeded, .interrupted:
            break
        case .failed(let failed):
            session.printError("\(failed.joined(separator: ", ")) failed", notes: ["logs are in \(logs.directory)"])
        case .paused(let awaiting):
            let arguments = CommandLine.arguments.dropFirst().joined(separator: " ")
            session.printError(
                "waiting for approval: \(awaiting.joined(separator: ", "))",
                notes: awaiting.map {
                    "approve it by running again with --approve \($0): slipway \(arguments) --approve \($0)"
                })
        }
        throw ExitCode(outcome.exitCode)
    }
}

/// The environment each mutating job locks while it runs.
private func lockedEnvironments(_ jobs: [ScheduledJob], _ pipeline: Pipeline) -> [String: String] {
    var environments: [String: String] = [:]
    for job in jobs {
        guard let instance = pipeline.instance(job.id), instance.mutates, let environment = instance.environment else {
            continue
        }
        environments[job.id] = environment
    }
    return environments
}

/// Run ids sort by time and stay unique: `20261121-093015-4f2a`.
enum RunIdentifier {
    static func make() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date()) + "-" + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
    }
}

/// Turns SIGINT and SIGTERM into one call, instead of the default of dying on the spot.
final class InterruptSignals: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(_ handler: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}

/// What `--dry-run` prints: the plan, then each job's exact script.
enum DryRun {
    static func render(jobs: [ScheduledJob], pipeline: Pipeline, plan: Plan) -> String {
        var text =
            "Would run \(jobs.count) job\(jobs.count == 1 ? "" : "s") for \(plan.event.rawValue), in this order:\n"
        for job in jobs {
            guard let instance = pipeline.instance(job.id) else { continue }
            var facts: [String] = []
            if !job.waitsFor.isEmpty { facts.append("after \(job.waitsFor.joined(separator: ", "))") }
            if job.gated { facts.append("manual gate") }
            if instance.mutates { facts.append("mutates \(instance.environment ?? "infrastructure")") }
            if !instance.job.secrets.isEmpty {
                facts.append("secrets: \(instance.job.secrets.joined(separator: ", "))")
            }
            if let workdir = instance.job.workdir { facts.append("in \(workdir)") }
            text += "\n== \(job.id)\(facts.isEmpty ? "" : " (\(facts.joined(separator: "; ")))")\n"
            text += instance.job.run.hasSuffix("\n") ? instance.job.run : instance.job.run + "\n"
        }
        return text
    }
}
