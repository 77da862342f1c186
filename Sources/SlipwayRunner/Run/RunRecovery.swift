import Foundation
import SlipwayCore

#if canImport(Glibc)
    import Glibc
#endif

/// What a stored run needs to continue: what already succeeded, and what was cut short.
public struct RecoveredRun: Sendable {
    /// The jobs the run planned.
    public var jobs: [ScheduledJob]
    /// Jobs that succeeded in earlier sessions; they never run again.
    public var succeeded: Set<String>
    /// Mutating jobs whose last attempt was interrupted (their change may be half applied).
    public var interruptedMutating: [String]
    /// How many attempts each job made so far, so new attempts keep counting.
    public var attemptBase: [String: Int]
    /// Process groups of interrupted attempts that were still alive and have been killed.
    public var stopped: [(job: String, processGroup: Int32)]
}

/// Crash recovery for `resume`: tells a live run from a dead one, stops what a dead runner left
/// behind, and marks its unfinished attempts as interrupted.
public enum RunRecovery {
    /// Whether the run's runner process is alive (on this host).
    ///
    /// Where `/proc` tells, the process must also be a slipway: a crashed runner's pid may have been
    /// reused by something else, which must never be signalled or waited for.
    public static func isAlive(_ run: RunRecord) -> Bool {
        guard run.status == .running, run.host == ProcessInfo.processInfo.hostName, kill(run.pid, 0) == 0 else {
            return false
        }
        guard let commandLine = FileManager.default.contents(atPath: "/proc/\(run.pid)/cmdline") else { return true }
        return String(decoding: commandLine, as: UTF8.self).contains("slipway")
    }

    /// Prepares `run` to continue.
    ///
    /// Attempts still marked running belong to a dead runner: any process left in their group is
    /// killed, and they are recorded as interrupted.
    public static func recover(_ run: RunRecord, store: RunStore, pipeline: Pipeline) throws -> RecoveredRun {
        let stopped = try stopLeftovers(of: run, store: store)
        let attempts = try store.attempts(run: run.id)
        // A run recorded by an earlier version lacks the locks and gates its jobs hold; the
        // pipeline has them (and resume already refuses a run whose jobs it no longer defines).
        let jobs = try run.scheduledJobs().map { job in
            var job = job
            if let instance = pipeline.instance(job.id) {
                job.locksEnvironment = job.locksEnvironment ?? instance.locksEnvironment
                job.approvalKey = job.approvalKey ?? instance.approval?.key
            }
            return job
        }
        let interruptedMutating = jobs.compactMap { job -> String? in
            guard let last = attempts.last(where: { $0.job == job.id }), last.status == .interrupted,
                pipeline.instance(job.id)?.mutates == true
            else { return nil }
            return job.id
        }
        var base: [String: Int] = [:]
        for attempt in attempts { base[attempt.job] = max(base[attempt.job] ?? 0, attempt.attempt) }
        return RecoveredRun(
            jobs: jobs, succeeded: Set(attempts.filter { $0.status == .succeeded }.map(\.job)),
            interruptedMutating: interruptedMutating, attemptBase: base, stopped: stopped)
    }

    /// Kills what is left of a dead runner's attempts (their process groups) and records those
    /// attempts as interrupted; returns the groups it killed.
    public static func stopLeftovers(of run: RunRecord, store: RunStore) throws -> [(job: String, processGroup: Int32)]
    {
        var stopped: [(job: String, processGroup: Int32)] = []
        for attempt in try store.attempts(run: run.id) where attempt.status == .running {
            if let group = attempt.processGroup, kill(-group, 0) == 0 {
                kill(-group, SIGKILL)
                stopped.append((attempt.job, group))
            }
            try store.finishAttempt(
                run: run.id, job: attempt.job, attempt: attempt.attempt, status: .interrupted, exitCode: nil,
                detail: "the runner stopped during this attempt")
        }
        return stopped
    }
}
