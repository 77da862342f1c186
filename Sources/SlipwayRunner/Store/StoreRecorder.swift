import Foundation

/// Records a run's progress in the run store as it happens, one transaction per change.
///
/// Attempt numbers continue across sessions of a resumed run: `base[job]` is how many attempts
/// earlier sessions made.
public final class StoreRecorder: RunReporting, @unchecked Sendable {
    private let store: RunStore
    private let run: String
    private let base: [String: Int]
    private let approver: String
    private let lock = NSLock()
    private var current: [String: Int] = [:]
    /// The first error the store raised, if any (reported once the run is over).
    public private(set) var failure: (any Error)?

    /// Creates a recorder for `run`; `approver` is who answers at a gate on this terminal.
    public init(store: RunStore, run: String, base: [String: Int] = [:], approver: String = "") {
        self.approver = approver
        self.store = store
        self.run = run
        self.base = base
    }

    private func record(_ work: () throws -> Void) {
        lock.lock()
        defer { lock.unlock() }
        do { try work() } catch { if failure == nil { failure = error } }
    }

    private func number(_ job: String, _ attempt: Int) -> Int { (base[job] ?? 0) + attempt }

    public func jobStarted(_ job: String, attempt: Int) {
        // Written before anything of the attempt starts: a crash after its process was spawned
        // must find the attempt (an interrupted mutating job is never re-run without being asked).
        record {
            current[job] = number(job, attempt)
            try store.startAttempt(run: run, job: job, attempt: number(job, attempt))
        }
    }

    public func jobOutput(_ job: String, _ bytes: [UInt8]) {}

    public func jobLaunched(_ job: String, attempt: Int, processGroup: Int32) {
        record {
            try store.setProcessGroup(run: run, job: job, attempt: number(job, attempt), processGroup: processGroup)
        }
    }

    public func jobFinished(_ job: String, outcome: AttemptOutcome, duration: Duration) {
        record {
            let attempt = current[job] ?? number(job, 1)
            let code: Int32?
            switch outcome {
            case .succeeded: code = 0
            case .failed(let exitCode): code = exitCode
            case .timedOut, .interrupted: code = nil
            }
            try store.finishAttempt(
                run: run, job: job, attempt: attempt, status: AttemptStatus(outcome), exitCode: code)
        }
    }

    public func jobSkipped(_ job: String, cause: SkipCause) {
        record { try store.skip(run: run, job: job, cause: cause) }
    }

    public func jobAwaitsApproval(_ job: String) {
        record { try store.awaitApproval(run: run, job: job) }
    }

    public func jobApproved(_ job: String) {
        record { try store.approve(run: run, job: job, by: approver) }
    }

    public func artifactsCaptured(_ job: String, _ files: [(path: String, sha256: String)]) {
        record {
            for file in files { try store.recordArtifact(run: run, job: job, path: file.path, sha256: file.sha256) }
        }
    }

    public func runFinished(_ outcome: RunOutcome) {
        record {
            try store.setStatus(run: run, RunStatus(outcome))
        }
    }
}
