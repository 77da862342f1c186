import SlipwayCore

/// How one attempt of a job ended, as the executor reports it.
public enum AttemptOutcome: Sendable, Hashable {
    case succeeded
    case failed(exitCode: Int32)
    case timedOut
    case interrupted
}

/// Where a job stands.
public enum JobState: Sendable, Hashable {
    case waiting
    case awaitingApproval
    case running(attempt: Int)
    case succeeded
    case failed(exitCode: Int32, attempts: Int)
    case timedOut
    case skipped(SkipCause)
    case interrupted
}

/// What the scheduler asks its driver to do; the scheduler itself performs no I/O.
public enum SchedulerAction: Sendable, Hashable {
    /// Start `attempt` of the job.
    case start(job: String, attempt: Int)
    /// Stop a running job (its process group), because its time ran out or the run was interrupted.
    case terminate(job: String)
    /// A gated job is ready but not approved.
    case awaitApproval(job: String)
    /// A job will not run.
    case skip(job: String, cause: SkipCause)
    /// Nothing is running and nothing more can start.
    case finish(RunOutcome)
}

/// Decides what runs when: dependency and promotion order, parallelism, gates, retries, timeouts,
/// failure propagation and interruption — as a state machine that returns actions and never
/// touches a process or a clock itself (time arrives as `now`).
public struct Scheduler<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// The jobs, in execution order.
    public let jobs: [ScheduledJob]
    /// How many jobs may run at once.
    public let parallelism: Int
    /// Each job's state.
    public var states: [String: JobState] {
        Dictionary(uniqueKeysWithValues: zip(jobs.map(\.id), state))
    }
    /// Jobs' states, by position in `jobs`: the scheduler works on positions, so that deciding
    /// what to start after each event costs a scan of an array, not of string-keyed tables.
    private var state: [JobState]
    /// Each job's position in `jobs`.
    private let position: [String: Int]
    /// The positions of the jobs each job waits for.
    private let upstream: [[Int]]
    /// Positions in the order ready jobs start: longest chain below them first.
    private let startOrder: [Int]
    /// Approved gates, by `ScheduledJob.gateKey`: one approval of an environment's gate covers
    /// the run's changes to it.
    private var approved: Set<String>
    /// Gates someone has been asked about, by key, so each is asked once.
    private var asked: Set<String> = []
    /// Whether someone is asked at each gate; the run then waits for the answers.
    private let asksForApproval: Bool
    /// Gates whose question was answered no, by key.
    private var declined: Set<String> = []
    private var deadlines: [String: Instant] = [:]
    private var terminating: Set<String> = []
    private var interrupting = false
    private var finished = false

    /// Creates a scheduler; jobs in `approved` pass their gate without waiting, and jobs in
    /// `succeeded` (from an earlier session of a resumed run) count as done and never run again.
    public init(
        jobs: [ScheduledJob], parallelism: Int, approved: Set<String> = [], succeeded: Set<String> = [],
        asksForApproval: Bool = false
    ) {
        self.asksForApproval = asksForApproval
        self.jobs = jobs
        self.parallelism = max(1, parallelism)
        self.approved = Set(jobs.filter { approved.contains($0.id) }.map(\.gateKey))
        self.state = jobs.map { succeeded.contains($0.id) ? JobState.succeeded : JobState.waiting }
        var position: [String: Int] = [:]
        for (offset, job) in jobs.enumerated() { position[job.id] = offset }
        self.position = position
        let upstream = jobs.map { $0.waitsFor.compactMap { position[$0] } }
        self.upstream = upstream
        // The longest chain of jobs waiting on each job, itself included: among jobs ready at the
        // same moment, the one heading the longest chain starts first (then execution order), so a
        // fan-out does not delay the critical path.
        var height = [Int](repeating: 1, count: jobs.count)
        for index in jobs.indices.reversed() {
            for above in upstream[index] { height[above] = max(height[above], height[index] + 1) }
        }
        self.startOrder = jobs.indices.sorted { height[$0] != height[$1] ? height[$0] > height[$1] : $0 < $1 }
    }

    /// The ids of the running jobs, in execution order.
    public var running: [String] {
        jobs.indices.filter { if case .running = state[$0] { return true } else { return false } }.map { jobs[$0].id }
    }

    /// Kept beside `states` so that parallelism checks stay O(1) on large pipelines.
    private var runningSet: Set<String> = []
    /// The environments held by running mutating jobs of this run, and by which job: a run never
    /// waits for its own lock, it runs its changes to one environment one at a time.
    private var heldEnvironments: [String: String] = [:]

    /// The actions to take at the start of the run.
    public mutating func start(now: Instant) -> [SchedulerAction] {
        advance(now: now)
    }

    /// Records how an attempt ended and returns what to do next.
    public mutating func attemptFinished(_ id: String, outcome: AttemptOutcome, now: Instant) -> [SchedulerAction] {
        guard let index = position[id], case .running(let attempt) = state[index] else { return [] }
        let job = jobs[index]
        deadlines[id] = nil
        runningSet.remove(id)
        if let environment = job.locksEnvironment, heldEnvironments[environment] == id {
            heldEnvironments[environment] = nil
        }
        let wasTerminated = terminating.remove(id) != nil
        switch outcome {
        case .succeeded:
            state[index] = .succeeded
        case .interrupted:
            state[index] = .interrupted
        case .timedOut:
            state[index] = .timedOut
        case .failed where wasTerminated && interrupting:
            state[index] = .interrupted
        case .failed(let code):
            if attempt < job.attempts && !interrupting {
                // Retried at once, ahead of jobs that have not started yet.
                state[index] = .running(attempt: attempt + 1)
                runningSet.insert(id)
                if let environment = job.locksEnvironment { heldEnvironments[environment] = id }
                deadlines[id] = now.advanced(by: job.timeout)
                return [.start(job: id, attempt: attempt + 1)] + advance(now: now)
            }
            state[index] = .failed(exitCode: code, attempts: attempt)
        }
        return advance(now: now)
    }

    /// Records an approval of `id`'s gate; every job waiting at that gate becomes ready.
    public mutating func approve(_ id: String, now: Instant) -> [SchedulerAction] {
        guard let key = position[id].map({ jobs[$0].gateKey }) else { return [] }
        approved.insert(key)
        for index in jobs.indices where jobs[index].gateKey == key && state[index] == .awaitingApproval {
            state[index] = .waiting
        }
        return advance(now: now)
    }

    /// Records that an approval was refused: the jobs at that gate keep waiting, and the run may pause.
    public mutating func decline(_ id: String, now: Instant) -> [SchedulerAction] {
        guard let key = position[id].map({ jobs[$0].gateKey }) else { return [] }
        declined.insert(key)
        return advance(now: now)
    }

    /// Time passed: running jobs past their deadline are terminated.
    public mutating func tick(now: Instant) -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        for id in running where !terminating.contains(id) {
            if let deadline = deadlines[id], now >= deadline {
                terminating.insert(id)
                actions.append(.terminate(job: id))
            }
        }
        return actions
    }

    /// The earliest deadline of a running job, for the driver's next wake-up.
    public var nextDeadline: Instant? {
        deadlines.filter { !terminating.contains($0.key) }.values.min()
    }

    /// Ctrl-C or SIGTERM: start nothing more, and terminate what runs.
    public mutating func interrupt(now: Instant) -> [SchedulerAction] {
        interrupting = true
        var actions: [SchedulerAction] = []
        for id in running where !terminating.contains(id) {
            terminating.insert(id)
            actions.append(.terminate(job: id))
        }
        return actions + advance(now: now)
    }

    private mutating func advance(now: Instant) -> [SchedulerAction] {
        guard !finished else { return [] }
        var actions: [SchedulerAction] = []
        var changed = true
        // Propagate skips until nothing changes: a skipped job can skip what waits for it.
        while changed {
            changed = false
            for index in jobs.indices where state[index] == .waiting || state[index] == .awaitingApproval {
                if let blocker = upstream[index].first(where: { Self.blocks(state[$0]) }) {
                    let cause = SkipCause.upstream(job: jobs[blocker].id, ended: Self.ending(state[blocker]))
                    state[index] = .skipped(cause)
                    actions.append(.skip(job: jobs[index].id, cause: cause))
                    changed = true
                }
            }
        }
        if !interrupting {
            for index in startOrder where state[index] == .waiting {
                guard runningSet.count < parallelism else { break }
                guard upstream[index].allSatisfy({ state[$0] == .succeeded }) else { continue }
                let job = jobs[index]
                if job.gated && !approved.contains(job.gateKey) {
                    state[index] = .awaitingApproval
                    // One question per gate: an environment's gate is asked about once per run.
                    if asked.insert(job.gateKey).inserted { actions.append(.awaitApproval(job: job.id)) }
                    continue
                }
                // Another change to the same environment runs: this one starts when it ends, in
                // execution order (promotion and dependency order).
                if let environment = job.locksEnvironment, heldEnvironments[environment] != nil { continue }
                state[index] = .running(attempt: 1)
                runningSet.insert(job.id)
                if let environment = job.locksEnvironment { heldEnvironments[environment] = job.id }
                deadlines[job.id] = now.advanced(by: job.timeout)
                actions.append(.start(job: job.id, attempt: 1))
            }
        }
        if runningSet.isEmpty, let outcome = outcome() {
            finished = true
            actions.append(.finish(outcome))
        }
        return actions
    }

    /// The run's outcome once nothing runs and nothing can start; `nil` while something still can.
    private func outcome() -> RunOutcome? {
        if interrupting { return .interrupted }
        // While someone is being asked, the run is not over.
        if asksForApproval
            && jobs.indices.contains(where: { state[$0] == .awaitingApproval && !declined.contains(jobs[$0].gateKey) })
        {
            return nil
        }
        let startable = jobs.indices.contains { index in
            state[index] == .waiting && upstream[index].allSatisfy { state[$0] == .succeeded }
        }
        if startable { return nil }
        let failed = jobs.indices.filter {
            switch state[$0] {
            case .failed, .timedOut: return true
            default: return false
            }
        }.map { jobs[$0].id }
        if !failed.isEmpty { return .failed(jobs: failed) }
        // One job per gate: approving it approves the others at the same gate.
        var gates: Set<String> = []
        let awaiting = jobs.indices.filter { state[$0] == .awaitingApproval && gates.insert(jobs[$0].gateKey).inserted }
            .map { jobs[$0].id }
        if !awaiting.isEmpty { return .paused(awaiting: awaiting) }
        // Jobs still waiting behind an approval count as paused too.
        if state.contains(.waiting) { return .paused(awaiting: []) }
        return .succeeded
    }

    private static func blocks(_ state: JobState) -> Bool {
        switch state {
        case .failed, .timedOut, .skipped, .interrupted: return true
        default: return false
        }
    }

    private static func ending(_ state: JobState) -> UpstreamEnding {
        switch state {
        case .failed: return .failed
        case .timedOut: return .timedOut
        case .interrupted: return .interrupted
        default: return .skipped
        }
    }
}
