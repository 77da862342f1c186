import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayRunner

/// Opens the run store of the spec's repository, or explains that there are no runs yet.
private func openStore(_ session: SpecSession) throws -> (store: RunStore, root: String) {
    let root = URL(fileURLWithPath: session.options.specDirectory).standardizedFileURL.path
    let path = StateDirectory(root: root).database
    guard FileManager.default.fileExists(atPath: path) else {
        throw session.fail("no runs yet in \(root)", notes: ["start one with `slipway run`"])
    }
    return (try session.openStore(StateDirectory(root: root)), root)
}

/// The run `id` names, or the newest run.
private func chooseRun(_ id: String?, _ store: RunStore, _ session: SpecSession) throws -> RunRecord {
    if let id {
        guard let run = try store.run(id) else {
            let known = try store.runs(limit: 5).map(\.id)
            throw session.fail(
                "there is no run '\(id)'", notes: known.isEmpty ? [] : ["recent runs: \(known.joined(separator: ", "))"]
            )
        }
        return run
    }
    guard let newest = try store.runs(limit: 1).first else {
        throw session.fail("no runs yet", notes: ["start one with `slipway run`"])
    }
    return newest
}

/// Each job's latest state in a run: from its last attempt, or its last event.
private func jobStates(_ run: RunRecord, _ store: RunStore) throws -> [(
    job: String, state: String, attempts: Int, detail: String
)] {
    let attempts = try store.attempts(run: run.id)
    let events = try store.events(run: run.id)
    return try run.scheduledJobs().map { job in
        let mine = attempts.filter { $0.job == job.id }
        if let last = mine.last {
            var state = RunWords.attempt(last.status)
            if last.status == .running && !RunRecovery.isAlive(run) { state = "interrupted (runner died)" }
            let duration = last.finishedAt.map { String(format: "%.1fs", $0.timeIntervalSince(last.startedAt)) } ?? ""
            let code = last.exitCode.map { $0 == 0 ? "" : "exit code \($0)" } ?? ""
            return (job.id, state, mine.count, [duration, code].filter { !$0.isEmpty }.joined(separator: ", "))
        }
        if let event = events.last(where: { $0.job == job.id }) {
            let detail = event.skipCause.map(RunWords.cause) ?? event.detail ?? ""
            return (job.id, RunWords.event(event.kind), 0, detail)
        }
        return (job.id, "not started", 0, "")
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show where a run stands, job by job.",
        discussion: """
            Examples:
              slipway status                 # the newest run
              slipway status 20261121-093015-4f2a
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The run (default: the newest).", valueName: "run"))
    var runID: String?

    func run() throws {
        let session = SpecSession(options: options)
        let (store, _) = try openStore(session)
        let record = try chooseRun(runID, store, session)
        let states = try jobStates(record, store)
        let status =
            record.status == .running && !RunRecovery.isAlive(record)
            ? "interrupted (the runner died; `slipway resume` continues it)" : RunWords.run(record.status)
        var text = "Run \(record.id) (\(record.event)): \(status)\n\n"
        let width = states.map(\.job.count).max() ?? 0
        for entry in states {
            let attempts = entry.attempts > 1 ? " (\(entry.attempts) attempts)" : ""
            let detail = entry.detail.isEmpty ? "" : "  \(entry.detail)"
            text +=
                "  \(entry.job.padding(toLength: width, withPad: " ", startingAt: 0))  \(entry.state)\(attempts)\(detail)\n"
        }
        for approval in try store.approvals(run: record.id) {
            text +=
                "\n  \(approval.job) approved by \(approval.approvedBy) at \(ISO8601DateFormatter().string(from: approval.approvedAt))"
        }
        session.terminal.write(text.hasSuffix("\n") ? text : text + "\n")
    }
}

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List recent runs, newest first.",
        discussion: """
            With --prune, removes old finished runs instead: their records and their
            directories under .slipway/runs (logs and stored artifacts, a kubeconfig among
            them). A run is removed when it is older than --older-than and not among the
            newest --keep; a running or paused run is never removed.

            Examples:
              slipway runs
              slipway runs --limit 50
              slipway runs --prune                      # older than 7 days, beyond the newest 20
              slipway runs --prune --older-than 1d --keep 5
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "How many runs to list.")
    var limit: Int = 20

    @Flag(help: "Remove old finished runs and their logs and artifacts.")
    var prune = false

    @Option(
        name: .customLong("older-than"),
        help: ArgumentHelp("With --prune: only runs that started longer ago.", valueName: "duration"))
    var olderThan: String = "7d"

    @Option(help: "With --prune: always keep this many newest runs.")
    var keep: Int = 20

    func validate() throws {
        if DurationParser.seconds(from: olderThan) == nil {
            throw ValidationError("--older-than takes a duration such as 12h, 7d or 30d, not '\(olderThan)'")
        }
        if keep < 0 { throw ValidationError("--keep must be 0 or more") }
    }

    func run() throws {
        let session = SpecSession(options: options)
        let (store, root) = try openStore(session)
        if prune {
            try pruneRuns(store, root: root, session: session)
            return
        }
        let formatter = ISO8601DateFormatter()
        var text = ""
        for record in try store.runs(limit: limit) {
            let status =
                record.status == .running && !RunRecovery.isAlive(record) ? "interrupted" : RunWords.run(record.status)
            let duration =
                record.finishedAt.map { String(format: "%.1fs", $0.timeIntervalSince(record.startedAt)) } ?? "-"
            let jobs = (try? record.scheduledJobs().count) ?? 0
            text +=
                "\(record.id)  \(record.event.padding(toLength: 12, withPad: " ", startingAt: 0))  "
                + "\(status.padding(toLength: 11, withPad: " ", startingAt: 0))  \(jobs) job\(jobs == 1 ? "" : "s")  "
                + "\(formatter.string(from: record.startedAt))  \(duration)\n"
        }
        session.terminal.write(text.isEmpty ? "No runs yet.\n" : text)
    }

    private func pruneRuns(_ store: RunStore, root: String, session: SpecSession) throws {
        let age = Double(DurationParser.seconds(from: olderThan) ?? 0)
        let removed = try RunEnding.prune(
            store: store, state: StateDirectory(root: root), startedBefore: Date().addingTimeInterval(-age), keep: keep)
        session.terminal.write(
            removed == 0
                ? "Nothing to remove: no finished run is older than \(olderThan) beyond the newest \(keep).\n"
                : "Removed \(removed) run\(removed == 1 ? "" : "s") older than \(olderThan), with their logs and artifacts.\n"
        )
    }
}

struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a job's log (masked), from the newest run or the one named.",
        discussion: """
            Examples:
              slipway logs terraform-plan
              slipway logs apply@prod --run 20261121-093015-4f2a
              slipway logs apply@prod --follow
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The job instance, for example apply@prod.")
    var job: String

    @Option(name: .customLong("run"), help: ArgumentHelp("The run (default: the newest).", valueName: "run"))
    var runID: String?

    @Flag(help: "Keep printing as the job writes, until its attempt ends.")
    var follow = false

    func run() async throws {
        let session = SpecSession(options: options)
        let (store, root) = try openStore(session)
        let record = try chooseRun(runID, store, session)
        let attempts = try store.attempts(run: record.id).filter { $0.job == job }
        guard let last = attempts.last else {
            let jobs = try record.scheduledJobs().map(\.id)
            guard jobs.contains(job) else {
                throw session.unknownJob("run \(record.id) has no job '\(job)'", id: job, known: jobs)
            }
            throw session.fail(
                "job '\(job)' has no log in run \(record.id)",
                notes: ["it has not started; `slipway status \(record.id)` shows what it waits for"])
        }
        let logs = try RunLogs(directory: StateDirectory(root: root).run(record.id))
        let path = logs.path(job: job, attempt: last.attempt)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw session.fail(
                "cannot open the log of '\(job)' (attempt \(last.attempt)): \(path)",
                notes: [
                    "the run's directory may have been cleaned up; `slipway status \(record.id)` still has the outcome"
                ])
        }
        defer { try? handle.close() }
        while true {
            let data = handle.readDataToEndOfFile()
            if !data.isEmpty { session.terminal.write(String(decoding: data, as: UTF8.self)) }
            guard follow else { return }
            let current = try store.attempts(run: record.id).first { $0.job == job && $0.attempt == last.attempt }
            if current?.status != .running || !RunRecovery.isAlive(record) {
                let rest = handle.readDataToEndOfFile()
                if !rest.isEmpty { session.terminal.write(String(decoding: rest, as: UTF8.self)) }
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}

struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a gated job of a paused run; `slipway resume` then continues it.",
        discussion: """
            Records who approved and when, in the run store.

            Examples:
              slipway approve apply@prod
              slipway approve apply@prod --run 20261121-093015-4f2a
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The gated job instance, for example apply@prod.")
    var job: String

    @Option(name: .customLong("run"), help: ArgumentHelp("The run (default: the newest).", valueName: "run"))
    var runID: String?

    func run() async throws {
        let session = SpecSession(options: options)
        let (store, root) = try openStore(session)
        let record = try chooseRun(runID, store, session)
        let jobs = try record.scheduledJobs()
        guard let scheduled = jobs.first(where: { $0.id == job }) else {
            throw session.unknownJob("run \(record.id) has no job '\(job)'", id: job, known: jobs.map(\.id))
        }
        guard scheduled.gated else {
            throw session.fail(
                "'\(job)' has no gate, so there is nothing to approve",
                notes: ["it runs without approval; `slipway resume \(record.id)` continues the run"])
        }
        try store.approve(run: record.id, job: job, by: await Person.identify(in: root))
        let covered = jobs.filter { $0.gated && $0.gateKey == scheduled.gateKey }.map(\.id)
        let scope = covered.count > 1 ? " (one approval for its gate: \(covered.joined(separator: ", ")))" : ""
        session.terminal.write(
            "Approved \(job) in run \(record.id)\(scope). Continue with `slipway resume \(record.id)`.\n")
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a paused, failed or crashed run; jobs that succeeded never run again.",
        discussion: """
            After a crash (even kill -9), processes of the interrupted attempts that are
            still alive are stopped first; an interrupted job runs again, except a
            mutating one, which runs again only with --rerun-interrupted (its change to
            the environment may be half done).

            Examples:
              slipway resume
              slipway resume 20261121-093015-4f2a --env-file .env
              slipway resume --rerun-interrupted

            Approvals are kept in the run store; secrets are not: pass --env-file again
            (or export the secrets) when the jobs left to run need them.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The run (default: the newest).", valueName: "run"))
    var runID: String?

    @OptionGroup var running: RunOptions

    @Flag(name: .customLong("rerun-interrupted"), help: "Also run again a mutating job whose attempt was interrupted.")
    var rerunInterrupted = false

    func run() async throws {
        let session = SpecSession(options: options)
        let (pipeline, _) = try session.pipeline(showWarnings: false)
        let (store, root) = try openStore(session)
        let record = try chooseRun(runID, store, session)
        if RunRecovery.isAlive(record) {
            throw session.fail(
                "run \(record.id) is still running (pid \(record.pid))",
                notes: ["wait for it, or stop it with Ctrl-C or `slipway cancel \(record.id)`"])
        }
        switch record.status {
        case .succeeded:
            session.terminal.write("Run \(record.id) succeeded; there is nothing to resume.\n")
            return
        case .cancelled:
            throw session.fail(
                "run \(record.id) was cancelled, so it cannot be resumed", notes: ["start a new run with `slipway run`"]
            )
        default:
            break
        }
        let jobs = try record.scheduledJobs()
        for job in jobs where pipeline.instance(job.id) == nil {
            throw session.fail(
                "run \(record.id) has job '\(job.id)', which \(options.spec) no longer defines",
                notes: ["start a new run with `slipway run`"])
        }
        let recovered = try RunRecovery.recover(record, store: store, pipeline: pipeline)
        for (job, group) in recovered.stopped {
            session.terminal.write("Stopped what was left of \(job)'s interrupted attempt (process group \(group)).\n")
        }
        if !recovered.interruptedMutating.isEmpty && !rerunInterrupted {
            throw session.fail(
                "\(recovered.interruptedMutating.joined(separator: ", ")) was interrupted while changing its environment",
                notes: [
                    "its change may be half applied; check the environment first",
                    "then run `slipway resume \(record.id) --rerun-interrupted` to run it again",
                ])
        }
        let person = await Person.identify(in: root)
        for id in running.approvals { try store.approve(run: record.id, job: id, by: person) }
        let approved = Set(try store.approvals(run: record.id).map(\.job))
        // The resumed jobs run what is here now: they mark the run's commit only if that is still
        // the default branch's clean head.
        var marksCommit = record.marksCommit
        if let started = marksCommit {
            let now = await MarkWriting.keeper(store: store, root: root, pipeline: pipeline)
                .commitToMark(for: Event(rawValue: record.event) ?? .push)
            if now != started {
                marksCommit = nil
                session.terminal.printWarning(
                    "run \(record.id) started at \(Mark.short(started)), but HEAD or a tracked file has changed since",
                    notes: [
                        "the jobs it runs now are not recorded as up to date; the next push plans them again"
                    ])
            }
        }
        let execution = RunExecution(
            session: session, pipeline: pipeline, event: Event(rawValue: record.event) ?? .push, jobs: recovered.jobs,
            runID: record.id, options: running, store: store, root: root, approved: approved,
            succeeded: recovered.succeeded,
            attemptBase: recovered.attemptBase, resuming: true, marksCommit: marksCommit)
        try await execution.execute()
    }
}

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "End a run for good: a paused or failed run is closed, a running one is stopped first.",
        discussion: """
            A run still running on this machine gets SIGTERM, as with Ctrl-C: its jobs are
            stopped and nothing more starts. A run whose runner died has what is left of
            its jobs stopped. The run is then marked cancelled; `slipway resume` will not
            continue it.

            Examples:
              slipway cancel                       # the newest run
              slipway cancel 20261121-093015-4f2a
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The run (default: the newest).", valueName: "run"))
    var runID: String?

    func run() async throws {
        let session = SpecSession(options: options)
        let (store, root) = try openStore(session)
        let record = try chooseRun(runID, store, session)
        if record.status == .cancelled {
            session.terminal.write("Run \(record.id) is already cancelled.\n")
            return
        }
        do {
            let stopped = try await RunEnding.cancel(record, store: store, by: await Person.identify(in: root))
            for (job, group) in stopped {
                session.terminal.write(
                    "Stopped what was left of \(job)'s interrupted attempt (process group \(group)).\n")
            }
        } catch CancelRefusal.succeeded {
            throw session.fail(
                "run \(record.id) succeeded; there is nothing to cancel",
                notes: ["`slipway runs` lists recent runs and their status"])
        } catch CancelRefusal.runningElsewhere(let host) {
            throw session.fail(
                "run \(record.id) is running on \(host), not on this machine",
                notes: ["cancel it there, where its processes are"])
        } catch CancelRefusal.didNotStop(let pid, let waited) {
            throw session.fail(
                "run \(record.id) (pid \(pid)) did not stop within \(DurationParser.format(seconds: Int(waited.components.seconds)))",
                notes: ["its jobs may be ignoring SIGTERM; `kill -9 \(pid)`, then `slipway cancel \(record.id)` again"],
                status: ExitStatus.failed)
        }
        session.terminal.write("Cancelled run \(record.id).\n")
    }
}
