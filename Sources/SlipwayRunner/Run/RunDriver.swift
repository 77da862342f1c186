import Foundation

/// What a run reports as it goes, for the terminal, CI logs or JSON events.
public protocol RunReporting: Sendable {
    /// An attempt of a job started.
    func jobStarted(_ job: String, attempt: Int)
    /// A job printed something (already masked).
    func jobOutput(_ job: String, _ bytes: [UInt8])
    /// An attempt ended.
    func jobFinished(_ job: String, outcome: AttemptOutcome, duration: Duration)
    /// A job will not run.
    func jobSkipped(_ job: String, cause: SkipCause)
    /// A job waits at its gate.
    func jobAwaitsApproval(_ job: String)
    /// The run is over.
    func runFinished(_ outcome: RunOutcome)
    /// An attempt's process started in this process group.
    func jobLaunched(_ job: String, attempt: Int, processGroup: Int32)
    /// A job's produced files were stored with these checksums.
    func artifactsCaptured(_ job: String, _ files: [(path: String, sha256: String)])
    /// Someone approved a gated job when asked.
    func jobApproved(_ job: String)
}

extension RunReporting {
    public func jobLaunched(_ job: String, attempt: Int, processGroup: Int32) {}
    public func artifactsCaptured(_ job: String, _ files: [(path: String, sha256: String)]) {}
    public func jobApproved(_ job: String) {}
}

/// Passes every report to several reporters (the terminal and the run store).
public struct CompositeReporter: RunReporting {
    let reporters: [any RunReporting]

    /// Creates a reporter that forwards to `reporters`, in order.
    public init(_ reporters: [any RunReporting]) {
        self.reporters = reporters
    }

    public func jobStarted(_ job: String, attempt: Int) {
        for reporter in reporters { reporter.jobStarted(job, attempt: attempt) }
    }
    public func jobOutput(_ job: String, _ bytes: [UInt8]) {
        for reporter in reporters { reporter.jobOutput(job, bytes) }
    }
    public func jobFinished(_ job: String, outcome: AttemptOutcome, duration: Duration) {
        for reporter in reporters { reporter.jobFinished(job, outcome: outcome, duration: duration) }
    }
    public func jobSkipped(_ job: String, cause: SkipCause) {
        for reporter in reporters { reporter.jobSkipped(job, cause: cause) }
    }
    public func jobAwaitsApproval(_ job: String) { for reporter in reporters { reporter.jobAwaitsApproval(job) } }
    public func runFinished(_ outcome: RunOutcome) { for reporter in reporters { reporter.runFinished(outcome) } }
    public func jobLaunched(_ job: String, attempt: Int, processGroup: Int32) {
        for reporter in reporters { reporter.jobLaunched(job, attempt: attempt, processGroup: processGroup) }
    }
    public func artifactsCaptured(_ job: String, _ files: [(path: String, sha256: String)]) {
        for reporter in reporters { reporter.artifactsCaptured(job, files) }
    }
    public func jobApproved(_ job: String) { for reporter in reporters { reporter.jobApproved(job) } }
}

/// Drives one run: feeds the scheduler the events of the world (jobs ending, time passing,
/// interruption) and carries out its actions with the executor.
public actor RunDriver {
    private var scheduler: Scheduler<ContinuousClock.Instant>
    private let executables: [String: ExecutableJob]
    private let executor: JobExecutor
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
    private var running: [String: RunningJob] = [:]
    private var startedAt: [String: ContinuousClock.Instant] = [:]
    private var timedOut: Set<String> = []
    private var attempts: [String: Int] = [:]
    private var interrupted = false
    private var outcome: RunOutcome?
    private var waiters: [CheckedContinuation<RunOutcome, Never>] = []

    /// Creates a driver for `jobs`; `executables` holds each job's process description.
    public init(
        jobs: [ScheduledJob], executables: [String: ExecutableJob], parallelism: Int, approved: Set<String>,
        succeeded: Set<String> = [], attemptBase: [String: Int] = [:],
        approver: (@Sendable (String) async -> Bool)? = nil,
        reporter: any RunReporting, logs: RunLogs?, store: ArtifactStore? = nil,
        artifacts: [String: JobArtifacts] = [:],
        locking: RunLocking? = nil, executor: JobExecutor = JobExecutor(), grace: Duration = .seconds(10)
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
        self.executor = executor
        self.reporter = reporter
        self.logs = logs
        self.grace = grace
    }

    /// Runs everything and returns how the run ended.
    public func run() async -> RunOutcome {
        let clock = ContinuousClock()
        perform(scheduler.start(now: clock.now))
        // Deadlines are checked on a bounded tick while anything runs.
        let ticker = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                await self?.tick()
            }
        }
        let result = await withCheckedContinuation { continuation in
            if let outcome { continuation.resume(returning: outcome) } else { waiters.append(continuation) }
        }
        ticker.cancel()
        return result
    }

    /// Ctrl-C or SIGTERM: terminate what runs, start nothing more.
    public func interrupt() {
        guard !interrupted else { return }
        interrupted = true
        perform(scheduler.interrupt(now: ContinuousClock.now))
    }

    private func answered(_ job: String, approved: Bool) {
        let now = ContinuousClock.now
        if approved {
            reporter.jobApproved(job)
            perform(scheduler.approve(job, now: now))
        } else {
            perform(scheduler.decline(job, now: now))
        }
    }

    private func tick() {
        perform(scheduler.tick(now: ContinuousClock.now))
    }

    private func perform(_ actions: [SchedulerAction]) {
        for action in actions {
            switch action {
            case .start(let job, let attempt):
                start(job, attempt: attempt)
            case .terminate(let job):
                if !interrupted { timedOut.insert(job) }
                if let process = running[job] {
                    let grace = grace
                    Task.detached { await process.terminate(grace: grace) }
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
    }

    private func start(_ job: String, attempt: Int) {
        guard let executable = executables[job] else {
            perform(scheduler.attemptFinished(job, outcome: .failed(exitCode: 127), now: ContinuousClock.now))
            return
        }
        reporter.jobStarted(job, attempt: attempt)
        attempts[job] = attempt
        startedAt[job] = ContinuousClock.now
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
            Task { [weak self] in
                do {
                    let lock = try await EnvironmentLock.acquire(
                        environment: environment, directory: locking.directory, holder: holder, timeout: locking.timeout
                    )
                    await self?.launch(job, executable: executable, log: log, lock: lock)
                } catch {
                    await self?.fail(job, message: "slipway: \(error)\n", log: log)
                }
            }
        } else {
            launch(job, executable: executable, log: log, lock: nil)
        }
    }

    private func launch(_ job: String, executable: ExecutableJob, log: LogFile?, lock: EnvironmentLock?) {
        // Interrupted or out of time while waiting for the lock: the script never starts.
        if interrupted || timedOut.contains(job) {
            lock?.release()
            log?.close()
            finished(job, code: 128 + SIGTERM)
            return
        }
        let reporter = reporter
        do {
            let process = try executor.start(executable) { bytes in
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
        let now = ContinuousClock.now
        reporter.jobFinished(job, outcome: .failed(exitCode: exitCode), duration: now - (startedAt[job] ?? now))
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
        let now = ContinuousClock.now
        let outcome: AttemptOutcome
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
        reporter.jobFinished(job, outcome: outcome, duration: now - (startedAt[job] ?? now))
        perform(scheduler.attemptFinished(job, outcome: outcome, now: now))
    }
}

/// Where a run's job logs go: one masked file per job attempt under the run's directory.
public struct RunLogs: Sendable {
    /// The run's directory (`.slipway/runs/<run>`).
    public let directory: String

    /// Creates the log directory.
    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// The log file of a job attempt (`apply@prod.log`, `test.2.log` for a retry).
    public func path(job: String, attempt: Int) -> String {
        "\(directory)/\(job)\(attempt > 1 ? ".\(attempt)" : "").log"
    }

    func open(job: String, attempt: Int) -> LogFile? {
        LogFile(path: path(job: job, attempt: attempt))
    }
}

/// A job's log file, written from the executor's reading thread.
///
/// It is created on the first write, so a job that prints nothing leaves no file.
final class LogFile: @unchecked Sendable {
    private let path: String
    private var handle: FileHandle?
    private var closed = false
    private let lock = NSLock()

    init(path: String) {
        self.path = path
    }

    func write(_ bytes: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        if handle == nil {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            handle = FileHandle(forWritingAtPath: path)
        }
        try? handle?.write(contentsOf: bytes)
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        closed = true
        try? handle?.close()
        handle = nil
    }
}

/// How a run takes environment locks.
public struct RunLocking: Sendable {
    /// The run's id, recorded in the lock file.
    public var runID: String
    /// Where lock files live (`.slipway/locks`).
    public var directory: String
    /// How long to wait for a held lock (zero: fail at once).
    public var timeout: Duration
    /// The environment each mutating job locks.
    public var environments: [String: String]

    /// Creates a locking description.
    public init(runID: String, directory: String, timeout: Duration, environments: [String: String]) {
        self.runID = runID
        self.directory = directory
        self.timeout = timeout
        self.environments = environments
    }
}
