import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a run cannot be cancelled.
public enum CancelRefusal: Error, Sendable, Hashable {
    /// It succeeded: there is nothing to end.
    case succeeded
    /// Its runner is on another machine, where its processes are.
    case runningElsewhere(host: String)
    /// Its runner got SIGTERM and was still alive after the grace period.
    case didNotStop(pid: Int32, waited: Duration)
}

/// Ending runs for good: cancelling one, and removing old ones with everything they stored.
public enum RunEnding {
    /// Cancels `run` for good, returning the process groups of a dead runner's attempts it killed.
    ///
    /// A live runner on this machine gets SIGTERM (as with Ctrl-C) and is waited for; what a dead
    /// runner left behind is stopped; the run is then marked cancelled.
    public static func cancel(
        _ run: RunRecord, store: RunStore, by person: String, grace: Duration = .seconds(60)
    ) async throws -> [(job: String, processGroup: Int32)] {
        if run.status == .succeeded { throw CancelRefusal.succeeded }
        if run.status == .running && run.host != ProcessInfo.processInfo.hostName {
            throw CancelRefusal.runningElsewhere(host: run.host)
        }
        var stopped: [(job: String, processGroup: Int32)] = []
        if RunRecovery.isAlive(run) {
            // The runner records its jobs as interrupted before it exits.
            kill(run.pid, SIGTERM)
            let start = ContinuousClock.now
            while kill(run.pid, 0) == 0, ContinuousClock.now - start < grace {
                try await Task.sleep(for: .milliseconds(100))
            }
            if kill(run.pid, 0) == 0 { throw CancelRefusal.didNotStop(pid: run.pid, waited: grace) }
        } else if run.status == .running {
            stopped = try RunRecovery.stopLeftovers(of: run, store: store)
        }
        try store.cancel(run: run.id, by: person)
        return stopped
    }

    /// Removes old finished runs with everything they stored, returning how many it removed.
    ///
    /// A run goes when it started before `cutoff` and is not among the newest `keep`: its record
    /// and its directory (logs and stored artifacts). A paused run, a live one, and one running on
    /// another machine are never removed; what a dead runner left behind is stopped first.
    public static func prune(store: RunStore, state: StateDirectory, startedBefore cutoff: Date, keep: Int) throws
        -> Int
    {
        var removed = 0
        for (offset, run) in try store.runs(limit: Int.max).enumerated() where offset >= keep {
            guard run.startedAt < cutoff, run.status != .paused else { continue }
            if run.status == .running {
                guard run.host == ProcessInfo.processInfo.hostName, !RunRecovery.isAlive(run) else { continue }
                _ = try RunRecovery.stopLeftovers(of: run, store: store)
            }
            let directory = state.run(run.id)
            if FileManager.default.fileExists(atPath: directory) {
                try FileManager.default.removeItem(atPath: directory)
            }
            try store.delete(run: run.id)
            removed += 1
        }
        return removed
    }
}
