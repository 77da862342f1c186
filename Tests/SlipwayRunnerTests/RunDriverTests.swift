import Crypto
import Foundation
import SlipwayCore
import SlipwayRunner
import SlipwayTesting
import Testing

/// A launcher that spawns nothing: it records what it was asked to start and ends each attempt as
/// the test says.
private final class FakeLauncher: JobLaunching, @unchecked Sendable {
    enum Behaviour {
        /// Ends at once with this exit status.
        case exit(Int32)
        /// Runs until it is terminated.
        case hang
        /// Does something (to the workspace) at launch, then ends with its result.
        case run(@Sendable () -> Int32)
    }

    private let lock = NSLock()
    private let behaviours: [String: Behaviour]
    private var started: [String] = []
    private var stopped: [String] = []

    init(_ behaviours: [String: Behaviour]) {
        self.behaviours = behaviours
    }

    /// The jobs launched, in order.
    var launched: [String] { lock.withLock { started } }
    /// The jobs terminated, in order.
    var terminated: [String] { lock.withLock { stopped } }

    func launch(_ job: ExecutableJob, output: @escaping @Sendable ([UInt8]) -> Void) throws(SpawnError)
        -> any LaunchedJob
    {
        let count = lock.withLock {
            started.append(job.id)
            return started.count
        }
        let process = FakeProcess(processGroup: 40_000 + Int32(count)) { [weak self] in
            self?.lock.withLock { self?.stopped.append(job.id) }
        }
        switch behaviours[job.id] ?? .exit(0) {
        case .exit(let code): process.end(code)
        case .hang: break
        case .run(let body): process.end(body())
        }
        return process
    }
}

/// A launched attempt that ends when told to, or with 143 when terminated.
private final class FakeProcess: LaunchedJob, @unchecked Sendable {
    let processGroup: Int32
    private let onTerminate: @Sendable () -> Void
    private let lock = NSLock()
    private var code: Int32?
    private var waiters: [CheckedContinuation<Int32, Never>] = []

    init(processGroup: Int32, onTerminate: @escaping @Sendable () -> Void) {
        self.processGroup = processGroup
        self.onTerminate = onTerminate
    }

    func end(_ status: Int32) {
        let waiting: [CheckedContinuation<Int32, Never>] = lock.withLock {
            guard code == nil else { return [] }
            code = status
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in waiting { waiter.resume(returning: status) }
    }

    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            lock.lock()
            if let code {
                lock.unlock()
                continuation.resume(returning: code)
            } else {
                waiters.append(continuation)
                lock.unlock()
            }
        }
    }

    func terminate(grace: Duration) async {
        onTerminate()
        end(128 + 15)
    }
}

/// Keeps what a run reported, as values.
private final class RecordingReporter: RunReporting, @unchecked Sendable {
    private let lock = NSLock()
    private var finished: [String: [AttemptOutcome]] = [:]
    private var skipped: [String: SkipCause] = [:]
    private var output: [String: String] = [:]
    private var captured: [String: [String]] = [:]
    private var ended: RunOutcome?

    func outcomes(_ job: String) -> [AttemptOutcome] { lock.withLock { finished[job] ?? [] } }
    func output(of job: String) -> String { lock.withLock { output[job] ?? "" } }
    func captured(by job: String) -> [String] { lock.withLock { captured[job] ?? [] } }
    var outcome: RunOutcome? { lock.withLock { ended } }

    func jobStarted(_ job: String, attempt: Int) {}
    func jobOutput(_ job: String, _ bytes: [UInt8]) {
        lock.withLock { output[job, default: ""] += String(decoding: bytes, as: UTF8.self) }
    }
    func jobFinished(_ job: String, outcome: AttemptOutcome, duration: Duration) {
        lock.withLock { finished[job, default: []].append(outcome) }
    }
    func jobSkipped(_ job: String, cause: SkipCause) { lock.withLock { skipped[job] = cause } }
    func jobAwaitsApproval(_ job: String) {}
    func runFinished(_ outcome: RunOutcome) { lock.withLock { ended = outcome } }
    func artifactsCaptured(_ job: String, _ files: [(path: String, sha256: String)]) {
        lock.withLock { captured[job] = files.map { "\($0.sha256)  \($0.path)" } }
    }
}

private func executables(_ ids: [String], in directory: String = "/nonexistent") -> [String: ExecutableJob] {
    Dictionary(
        uniqueKeysWithValues: ids.map {
            ($0, ExecutableJob(id: $0, script: "true\n", directory: directory, environment: [:], secretValues: []))
        })
}

private func sha256(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
}

/// How the run ended, or `nil` (and a failed expectation) if it does not end within seconds.
private func ending(of run: Task<RunOutcome, Never>, _ reporter: RecordingReporter) async -> RunOutcome? {
    guard await ManualClock.settle(until: { reporter.outcome != nil }) else { return nil }
    return await run.value
}

private func at(_ seconds: Int) -> ManualClock.Instant { ManualClock.Instant(offset: .seconds(seconds)) }

/// The run driver's rules, on a manual clock with a launcher that spawns nothing.
@Suite struct RunDriverTests {
    @Test func sleepsUntilTheNextDeadlineAndStopsAJobThatOutlivesIt() async throws {
        let clock = ManualClock()
        let launcher = FakeLauncher(["slow": .hang, "quick": .exit(0)])
        let reporter = RecordingReporter()
        let driver = RunDriver(
            jobs: [
                ScheduledJob(id: "quick", timeout: .seconds(60)), ScheduledJob(id: "slow", timeout: .seconds(1800)),
            ],
            executables: executables(["quick", "slow"]), parallelism: 2, approved: [], reporter: reporter, logs: nil,
            launcher: launcher, clock: clock)
        let run = Task { await driver.run() }

        #expect(await ManualClock.settle { reporter.outcomes("quick") == [.succeeded] })
        // One wake-up, at the only deadline left: the driver sleeps, it does not poll.
        #expect(await ManualClock.settle { clock.pendingDeadlines == [at(1800)] })
        clock.advance(by: .seconds(1799))
        #expect(await ManualClock.settle { clock.pendingDeadlines == [at(1800)] })
        #expect(launcher.terminated.isEmpty)
        #expect(reporter.outcomes("slow").isEmpty)

        clock.advance(by: .seconds(1))
        #expect(await ending(of: run, reporter) == .failed(jobs: ["slow"]))
        #expect(launcher.terminated == ["slow"])
        #expect(reporter.outcomes("slow") == [.timedOut])
        #expect(clock.pendingDeadlines.isEmpty)
    }

    @Test func waitingForTheEnvironmentLockCountsTowardTheTimeout() async throws {
        let directory = try TemporaryDirectory(prefix: "slipway-driver")
        defer { directory.remove() }
        let locks = "\(directory.path)/locks"
        let other = try await EnvironmentLock.acquire(
            environment: "prod", directory: locks, holder: LockHolder(run: "other-run", job: "apply@prod"),
            timeout: .zero, clock: ContinuousClock())
        defer { other.release() }

        let clock = ManualClock()
        let launcher = FakeLauncher([:])
        let reporter = RecordingReporter()
        let driver = RunDriver(
            jobs: [ScheduledJob(id: "apply@prod", timeout: .seconds(600))], executables: executables(["apply@prod"]),
            parallelism: 1, approved: [], reporter: reporter, logs: nil,
            locking: RunLocking(
                runID: "this-run", directory: locks, timeout: .seconds(3600), environments: ["apply@prod": "prod"]),
            launcher: launcher, clock: clock)
        let run = Task { await driver.run() }

        // The job's deadline, and the lock's next poll.
        #expect(
            await ManualClock.settle {
                clock.pendingDeadlines == [ManualClock.Instant(offset: .milliseconds(100)), at(600)]
            })
        clock.advance(by: .seconds(600))
        // Its ten minutes ran out in the queue for the lock (which would wait an hour): it timed out
        // without starting, and did not wait out the lock timeout.
        #expect(await ending(of: run, reporter) == .failed(jobs: ["apply@prod"]))
        #expect(reporter.outcomes("apply@prod") == [.timedOut])
        #expect(launcher.launched.isEmpty)
        // Its output says why it never started, and who held the environment.
        #expect(reporter.output(of: "apply@prod").contains("stopped while waiting for environment 'prod', held by"))
        #expect(reporter.output(of: "apply@prod").contains("run other-run (job apply@prod"))
    }

    @Test func aJobStartsOnceTheLockIsReleasedAndNamesItselfTheHolder() async throws {
        let directory = try TemporaryDirectory(prefix: "slipway-driver")
        defer { directory.remove() }
        let locks = "\(directory.path)/locks"
        let other = try await EnvironmentLock.acquire(
            environment: "prod", directory: locks, holder: LockHolder(run: "other-run", job: "apply@prod"),
            timeout: .zero, clock: ContinuousClock())

        let clock = ManualClock()
        let lockFile = "\(locks)/prod.lock"
        let holderSeen = LockedBox("")
        let launcher = FakeLauncher([
            "apply@prod": .run {
                holderSeen.set((try? String(contentsOfFile: lockFile, encoding: .utf8)) ?? "")
                return 0
            }
        ])
        let reporter = RecordingReporter()
        let driver = RunDriver(
            jobs: [ScheduledJob(id: "apply@prod", timeout: .seconds(600))], executables: executables(["apply@prod"]),
            parallelism: 1, approved: [], reporter: reporter, logs: nil,
            locking: RunLocking(
                runID: "this-run", directory: locks, timeout: .seconds(3600), environments: ["apply@prod": "prod"]),
            launcher: launcher, clock: clock)
        let run = Task { await driver.run() }

        #expect(await ManualClock.settle { clock.pendingDeadlines.count == 2 })
        clock.advance(by: .seconds(30))
        #expect(await ManualClock.settle { clock.pendingDeadlines.count == 2 })
        #expect(launcher.launched.isEmpty)
        other.release()
        clock.advance(by: .milliseconds(100))
        #expect(await ending(of: run, reporter) == .succeeded)
        #expect(launcher.launched == ["apply@prod"])
        #expect(holderSeen.value.contains("run=this-run\njob=apply@prod\n"))
    }

    @Test func producedFilesAreVerifiedAndPutBackBeforeAJobThatReceivesThemStarts() async throws {
        let directory = try TemporaryDirectory(prefix: "slipway-driver")
        defer { directory.remove() }
        let root = directory.path
        let file = "\(root)/out/cluster.yaml"
        let write: @Sendable (String) -> Int32 = { text in
            try? FileManager.default.createDirectory(atPath: "\(root)/out", withIntermediateDirectories: true)
            return (try? Data(text.utf8).write(to: URL(fileURLWithPath: file))) == nil ? 1 : 0
        }
        let seen = LockedBox("")
        let launcher = FakeLauncher([
            "render": .run { write("spec: v1\n") },
            // A job in between leaves the workspace file changed.
            "scribble": .run { write("spec: scribbled\n") },
            "apply": .run {
                seen.set((try? String(contentsOfFile: file, encoding: .utf8)) ?? "<missing>")
                return 0
            },
        ])
        let store = ArtifactStore(root: root, directory: StateDirectory(root: root).artifacts(ofRun: "r1"))
        let jobs = [
            ScheduledJob(id: "render"), ScheduledJob(id: "scribble", waitsFor: ["render"]),
            ScheduledJob(id: "apply", waitsFor: ["render", "scribble"]),
        ]
        let artifacts = [
            "render": JobArtifacts(produces: ["out"], consumesFrom: []),
            "apply": JobArtifacts(produces: [], consumesFrom: ["render"]),
        ]
        let reporter = RecordingReporter()
        let driver = RunDriver(
            jobs: jobs, executables: executables(["render", "scribble", "apply"], in: root), parallelism: 1,
            approved: [], reporter: reporter, logs: nil, store: store, artifacts: artifacts, launcher: launcher,
            clock: ManualClock())

        #expect(await driver.run() == .succeeded)
        #expect(seen.value == "spec: v1\n")
        #expect(reporter.captured(by: "render") == ["\(sha256("spec: v1\n"))  out/cluster.yaml"])

        // A stored file altered after it was recorded stops the job that receives it before it starts.
        let stored = "\(store.directory)/render/files/out/cluster.yaml"
        try Data("spec: forged\n".utf8).write(to: URL(fileURLWithPath: stored))
        let again = FakeLauncher([:])
        let second = RecordingReporter()
        let resumed = RunDriver(
            jobs: jobs, executables: executables(["render", "scribble", "apply"], in: root), parallelism: 1,
            approved: [], succeeded: ["render", "scribble"], reporter: second, logs: nil, store: store,
            artifacts: artifacts, launcher: again, clock: ManualClock())
        #expect(await resumed.run() == .failed(jobs: ["apply"]))
        #expect(again.launched.isEmpty)
        #expect(second.outcomes("apply") == [.failed(exitCode: 1)])
        #expect(second.output(of: "apply").contains("'out/cluster.yaml' produced by render was altered"))
    }

    @Test func aCrashedRunResumesWhereItStoppedAndKeepsCountingAttempts() async throws {
        let directory = try TemporaryDirectory(prefix: "slipway-driver")
        defer { directory.remove() }
        let validated = SpecValidator.pipeline(
            text: """
                version: 1
                environments: [{name: prod}]
                jobs:
                  plan: {paths: ["**"], run: "true"}
                  apply: {on: [push], paths: ["**"], environment: prod, needs: [plan], mutates: true, run: "true"}
                  notify: {on: [push], paths: ["**"], needs: [apply], run: "true"}
                """)
        let pipeline = try #require(validated.pipeline, "\(validated.diagnostics)")
        let state = StateDirectory(root: directory.path)
        let store = try RunStore(path: state.database)
        let jobs = ScheduledJob.jobs(Set(pipeline.instances.map(\.id)), in: pipeline)
        try store.insert(try RunRecord(id: "r1", spec: "slipway.yml", event: "push", jobs: jobs))
        try store.startAttempt(run: "r1", job: "plan", attempt: 1)
        try store.finishAttempt(run: "r1", job: "plan", attempt: 1, status: .succeeded, exitCode: 0)
        // The runner died while apply ran; its process group outlived it.
        let orphan = try JobExecutor().start(
            ExecutableJob(
                id: "apply", script: "sleep 30", directory: directory.path, environment: [:], secretValues: []),
            output: { _ in })
        try store.startAttempt(run: "r1", job: "apply", attempt: 1)
        try store.setProcessGroup(run: "r1", job: "apply", attempt: 1, processGroup: orphan.processGroup)

        let recovered = try RunRecovery.recover(try #require(try store.run("r1")), store: store, pipeline: pipeline)
        #expect(recovered.stopped.map(\.job) == ["apply"])
        #expect(await orphan.wait() == 128 + SIGKILL)
        #expect(recovered.succeeded == ["plan"])
        #expect(recovered.interruptedMutating == ["apply"])
        #expect(recovered.attemptBase == ["plan": 1, "apply": 1])

        let launcher = FakeLauncher([:])
        let driver = RunDriver(
            jobs: recovered.jobs, executables: executables(jobs.map(\.id)), parallelism: 1, approved: [],
            succeeded: recovered.succeeded, attemptBase: recovered.attemptBase,
            reporter: StoreRecorder(store: store, run: "r1", base: recovered.attemptBase), logs: nil,
            launcher: launcher, clock: ManualClock())
        #expect(await driver.run() == .succeeded)
        #expect(launcher.launched == ["apply", "notify"])
        let attempts = try store.attempts(run: "r1").map { "\($0.job)#\($0.attempt) \($0.status)" }
        #expect(attempts == ["plan#1 succeeded", "apply#1 interrupted", "apply#2 succeeded", "notify#1 succeeded"])
        #expect(try store.run("r1")?.status == .succeeded)
    }

    @Test func aRunRecordedWithoutLocksOrGatesGetsThemFromThePipelineOnResume() throws {
        let directory = try TemporaryDirectory(prefix: "slipway-driver")
        defer { directory.remove() }
        let validated = SpecValidator.pipeline(
            text: """
                version: 1
                environments: [{name: prod, gate: manual}]
                jobs:
                  apply: {on: [push], paths: ["**"], environment: prod, mutates: true, run: "true"}
                """)
        let pipeline = try #require(validated.pipeline, "\(validated.diagnostics)")
        let store = try RunStore(path: StateDirectory(root: directory.path).database)
        // What an earlier version stored: no locksEnvironment, no approvalKey.
        try store.insert(
            try RunRecord(id: "old", spec: "slipway.yml", event: "push", jobs: [ScheduledJob(id: "apply", gated: true)])
        )
        let recovered = try RunRecovery.recover(try #require(try store.run("old")), store: store, pipeline: pipeline)
        #expect(recovered.jobs.first?.locksEnvironment == "prod")
        #expect(recovered.jobs.first?.gateKey == "environment:prod")
    }

    @Test func aReusedPidIsNotTakenForALiveRunner() throws {
        let other = try JobExecutor().start(
            ExecutableJob(id: "other", script: "sleep 30", directory: "/", environment: [:], secretValues: []),
            output: { _ in })
        defer { kill(-other.processGroup, SIGKILL) }
        var record = try RunRecord(id: "r", spec: "slipway.yml", event: "push", jobs: [])
        record.pid = other.processGroup
        #expect(!RunRecovery.isAlive(record))
        record.pid = getpid()
        #expect(RunRecovery.isAlive(record))
    }
}

/// A value set from a fake job and read by the test.
private final class LockedBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String

    init(_ value: String) { stored = value }
    var value: String { lock.withLock { stored } }
    func set(_ value: String) { lock.withLock { stored = value } }
}
