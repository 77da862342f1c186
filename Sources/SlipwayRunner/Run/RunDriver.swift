import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Drives one run: feeds the scheduler the events of the world (attempts ending, deadlines
/// passing, interruption) and carries out its actions with a job launcher.
///
/// Time comes from `clock` and processes from `launcher`, so tests drive a run with a manual
/// clock and a launcher that spawns nothing. The driver sleeps until the scheduler's next
/// deadline; it never polls.
public actor RunDriver<C: Clock> where C.Duration == Duration {
    private var scheduler: Scheduler<C.Instant>
    private let clock: C
    private let executables: [String: ExecutableJob]
    private let launcher: any JobLaunching
    private let reporter: any RunReporting
    private let grace: Duration
    private let logs: RunLogs?
    private let store: ArtifactStore?
    private let artifacts: [String: JobArtifacts]
    private let locking: RunLocking?
    /// Attempts earlier sessions of a resumed run made, so log files keep their own numbers.
    private let attemptBase: [String: Int]
    /// Asks a person at a gate (on a terminal); `nil` pauses the run instead.
    private let approver: (@Sendable (String) async -> Bool)?
    private var running: [String: any LaunchedJob] = [:]
    /// Mutating jobs waiting for their environment's lock; cancelled when their time runs out.
    private var lockWaits: [String: Task<Void, Never>] = [:]
    private var startedAt: [String: C.Instant] = [:]
    /// Jobs the scheduler asked to stop, and those of them whose time ran out.
    private var terminated: Set<String> = []
    private var timedOut: Set<String> = []
    private var attempts: [String: Int] = [:]
    private var interrupted = false
    private var outcome: RunOutcome?
    private var waiters: [CheckedContinuation<RunOutcome, Never>] = []
    /// The one pending wake-up, at the scheduler's next deadline.
    private var wake: (deadline: C.Instant, task: Task<Void, Never>)?

    /// Creates a driver for `jobs`; `executables` holds each job's process description.
    public init(
        jobs: [ScheduledJob], executables: [String: ExecutableJob], parallelism: Int, approved: Set<String>,
        succeeded: Set<String> = [], attemptBase: [String: Int] = [:],
        approver: (@Sendable (String) async -> Bool)? = nil,
        reporter: any RunReporting, logs: RunLogs?, store: ArtifactStore? = nil,
        artifacts: [String: JobArtifacts] = [:],
        locking: RunLocking? = nil, launcher: any JobLaunching = JobExecutor(), clock: C,
        grace: Duration = .seconds(10)
    ) {
        self.locking = locking
        self.attemptBase = attemptBase
        self.store = store
        self.artifacts = artifacts
        self.scheduler = Scheduler(
            jobs: jobs, parallelism: parallelism, approved: approved, succeeded: succeeded,
            asksForApproval: approver != nil)
        self.approver = approver
        self.executables = executables
        self.launcher = launcher
        self.clock = clock
        self.reporter = reporter
        self.logs = logs
        self.grace = grace
    }

    /// Runs everything and returns how the run ended.
    public func run() async -> RunOutcome {
        perform(scheduler.start(now: clock.now))
        return await withCheckedContinuation { continuation in
            if let outcome { continuation.resume(returning: outcome) } else { waiters.append(continuation) }
        }
    }

    /// Ctrl-C or SIGTERM: terminate what runs, start nothing more.
    public func interrupt() {
        guard !interrupted else { return }
        interrupted = true
        perform(scheduler.interrupt(now: clock.now))
    }

    private func answered(_ job: String, approved: Bool) {
        if approved {
            reporter.jobApproved(job)
            perform(scheduler.approve(job, now: clock.now))
        } else {
            perform(scheduler.decline(job, now: clock.now))
        }
    }

    /// The wake-up at `deadline` fired.
    private func woke(at deadline: C.Instant) {
        if wake?.deadline == deadline { wake = nil }
        perform(scheduler.tick(now: clock.now))
    }

    /// Keeps exactly one wake-up pending, at the scheduler's next deadline, or none.
    private func rearm() {
        let next = outcome == nil ? scheduler.nextDeadline : nil
        guard wake?.deadline != next else { return }
        wake?.task.cancel()
        wake = nil
        guard let next else { return }
        let clock = clock
        wake = (
            next,
            Task { [weak self] in
                do { try await clock.sleep(until: next, tolerance: nil) } catch { return }
                await self?.woke(at: next)
            }
        )
    }

    private func perform(_ actions: [SchedulerAction]) {
        for action in actions {
            switch action {
            case .start(let job, let attempt):
                start(job, attempt: attempt)
            case .terminate(let job):
                terminated.insert(job)
                if !interrupted { timedOut.insert(job) }
                if let process = running[job] {
                    let grace = grace
                    Task.detached { await process.terminate(grace: grace) }
                } else {
                    // Still waiting for its environment's lock: the script will never start.
                    lockWaits[job]?.cancel()
                }
            case .awaitApproval(let job):
                reporter.jobAwaitsApproval(job)
                if let approver {
                    Task { [weak self] in
                        let yes = await approver(job)
                        await self?.answered(job, approved: yes)
                    }
                }
            case .skip(let job, let cause):
                reporter.jobSkipped(job, cause: cause)
            case .finish(let result):
                outcome = result
                reporter.runFinished(result)
                for waiter in waiters { waiter.resume(returning: result) }
                waiters.removeAll()
            }
        }
        rearm()
    }

    private func start(_ job: String, attempt: Int) {
        terminated.remove(job)
        guard let executable = executables[job] else {
            perform(scheduler.attemptFinished(job, outcome: .failed(exitCode: 127), now: clock.now))
            return
        }
        reporter.jobStarted(job, attempt: attempt)
        attempts[job] = attempt
        startedAt[job] = clock.now
        let log = logs?.open(job: job, attempt: (attemptBase[job] ?? 0) + attempt)
        // What the jobs it needs produced is verified and put back before the script starts.
        if let store, let consumes = artifacts[job]?.consumesFrom {
            do {
                for producer in consumes where store.hasArtifacts(of: producer) { try store.restore(job: producer) }
            } catch {
                fail(job, message: "slipway: \(error)\n", log: log)
                return
            }
        }
        // A mutating job holds its environment's lock while it runs; waiting for it is part of
        // the job's time.
        if let locking, let environment = locking.environments[job] {
            let holder = LockHolder(run: locking.runID, job: job)
            let clock = clock
            lockWaits[job] = Task { [weak self] in
                do {
                    let lock = try await EnvironmentLock.acquire(
                        environment: environment, directory: locking.directory, holder: holder,
                        timeout: locking.timeout, clock: clock)
                    await self?.launch(job, executable: executable, log: log, lock: lock)
                } catch {
                    await self?.lockFailed(job, error, log: log)
                }
            }
        } else {
            launch(job, executable: executable, log: log, lock: nil)
        }
    }

    private func lockFailed(_ job: String, _ error: any Error, log: LogFile?) {
        lockWaits[job] = nil
        // Out of time or interrupted while waiting: the attempt ends as the scheduler asked.
        if terminated.contains(job) {
            // Say why it never started: its time ran out (or the run was stopped) in the queue.
            let message =
                (error as? LockError).map {
                    "slipway: stopped while waiting for environment '\($0.environment)', held by \($0.holderDescription)\n"
                } ?? "slipway: stopped while waiting for its environment's lock\n"
            log?.write(Array(message.utf8))
            reporter.jobOutput(job, Array(message.utf8))
            log?.close()
            finished(job, code: 128 + SIGTERM)
        } else {
            fail(job, message: "slipway: \(error)\n", log: log)
        }
    }

    private func launch(_ job: String, executable: ExecutableJob, log: LogFile?, lock: EnvironmentLock?) {
        lockWaits[job] = nil
        // Interrupted or out of time while taking the lock: the script never starts.
        if terminated.contains(job) {
            lock?.release()
            log?.close()
            finished(job, code: 128 + SIGTERM)
            return
        }
        let reporter = reporter
        do {
            let process = try launcher.launch(executable) { bytes in
                log?.write(bytes)
                reporter.jobOutput(job, bytes)
            }
            running[job] = process
            reporter.jobLaunched(job, attempt: attempts[job] ?? 1, processGroup: process.processGroup)
            Task { [weak self] in
                let code = await process.wait()
                lock?.release()
                log?.close()
                await self?.finished(job, code: code)
            }
        } catch {
            lock?.release()
            fail(job, message: "slipway: \(error)\n", log: log, exitCode: 127)
        }
    }

    /// Ends an attempt that failed before or after its script, with a message in its output.
    private func fail(_ job: String, message: String, log: LogFile?, exitCode: Int32 = 1) {
        log?.write(Array(message.utf8))
        log?.close()
        reporter.jobOutput(job, Array(message.utf8))
        let now = clock.now
        reporter.jobFinished(job, outcome: .failed(exitCode: exitCode), duration: elapsed(job, now))
        perform(scheduler.attemptFinished(job, outcome: .failed(exitCode: exitCode), now: now))
    }

    private func finished(_ job: String, code: Int32) {
        running[job] = nil
        // The job wrote its summary itself; mask it like everything else Slipway keeps.
        if let executable = executables[job], let summary = executable.environment["SLIPWAY_SUMMARY"],
            let data = FileManager.default.contents(atPath: summary)
        {
            let masked = SecretMasker(values: executable.secretValues).mask(String(decoding: data, as: UTF8.self))
            try? Data(masked.utf8).write(to: URL(fileURLWithPath: summary), options: .atomic)
        }
        let now = clock.now
        let outcome: AttemptOutcome
        terminated.remove(job)
        if timedOut.remove(job) != nil {
            outcome = .timedOut
        } else if interrupted && code >= 128 {
            outcome = .interrupted
        } else if code == 0, let store, let produces = artifacts[job]?.produces, !produces.isEmpty {
            do {
                reporter.artifactsCaptured(job, try store.capture(job: job, paths: produces))
                outcome = .succeeded
            } catch {
                reporter.jobOutput(job, Array("slipway: \(error)\n".utf8))
                outcome = .failed(exitCode: 1)
            }
        } else {
            outcome = code == 0 ? .succeeded : .failed(exitCode: code)
        }
        reporter.jobFinished(job, outcome: outcome, duration: elapsed(job, now))
        perform(scheduler.attemptFinished(job, outcome: outcome, now: now))
    }

    private func elapsed(_ job: String, _ now: C.Instant) -> Duration {
        startedAt[job].map { $0.duration(to: now) } ?? .zero
    }
}

extension RunDriver where C == ContinuousClock {
    /// Creates a driver on the real clock.
    public init(
        jobs: [ScheduledJob], executables: [String: ExecutableJob], parallelism: Int, approved: Set<String>,
        succeeded: Set<String> = [], attemptBase: [String: Int] = [:],
        approver: (@Sendable (String) async -> Bool)? = nil,
        reporter: any RunReporting, logs: RunLogs?, store: ArtifactStore? = nil,
        artifacts: [String: JobArtifacts] = [:],
        locking: RunLocking? = nil, launcher: any JobLaunching = JobExecutor(), grace: Duration = .seconds(10)
    ) {
        self.init(
            jobs: jobs, executables: executables, parallelism: parallelism, approved: approved, succeeded: succeeded,
            attemptBase: attemptBase, approver: approver, reporter: reporter, logs: logs, store: store,
            artifacts: artifacts, locking: locking, launcher: launcher, clock: ContinuousClock(), grace: grace)
    }
}
