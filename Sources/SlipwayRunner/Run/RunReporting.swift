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
