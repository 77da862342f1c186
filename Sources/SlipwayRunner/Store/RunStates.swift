import GRDB

/// Where a run stands, as the store keeps it.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable, DatabaseValueConvertible {
    case running
    case succeeded
    case failed
    case paused
    case interrupted
    /// Ended by `slipway cancel`: it is never resumed.
    case cancelled

    /// The status a finished run's outcome leaves it in.
    public init(_ outcome: RunOutcome) {
        switch outcome {
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .paused: self = .paused
        case .interrupted: self = .interrupted
        }
    }
}

/// Where one attempt of a job stands, as the store keeps it.
public enum AttemptStatus: String, Sendable, Hashable, Codable, CaseIterable, DatabaseValueConvertible {
    case running
    case succeeded
    case failed
    case timedOut = "timed_out"
    case interrupted

    /// The status an attempt's outcome leaves it in.
    public init(_ outcome: AttemptOutcome) {
        switch outcome {
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .timedOut: self = .timedOut
        case .interrupted: self = .interrupted
        }
    }
}

/// What an event in the store records.
public enum EventKind: String, Sendable, Hashable, Codable, CaseIterable, DatabaseValueConvertible {
    case started
    case succeeded
    case failed
    case timedOut = "timed_out"
    case interrupted
    case skipped
    case awaitingApproval = "awaiting_approval"
    case approved
    /// The run was cancelled (the detail says by whom).
    case cancelled

    /// The event an attempt's end records.
    public init(_ status: AttemptStatus) {
        switch status {
        case .running: self = .started
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .timedOut: self = .timedOut
        case .interrupted: self = .interrupted
        }
    }
}

/// Why the scheduler skips a job; reporters turn it into words.
public enum SkipCause: Sendable, Hashable, Codable {
    /// A job it waits for ended without succeeding, so it cannot start.
    case upstream(job: String, ended: UpstreamEnding)
}

/// How a job that others wait for ended, when it did not succeed.
public enum UpstreamEnding: String, Sendable, Hashable, Codable, CaseIterable {
    case failed
    case timedOut = "timed_out"
    case interrupted
    /// It was skipped itself, so it never ran.
    case skipped
}
