import SlipwayRunner

/// The words for the runner's typed states: the one place they become text for a person.
enum RunWords {
    /// Why a job was skipped: `plan failed`, `apply did not run`.
    static func cause(_ cause: SkipCause) -> String {
        switch cause {
        case .upstream(let job, .failed): return "\(job) failed"
        case .upstream(let job, .timedOut): return "\(job) timed out"
        case .upstream(let job, .interrupted): return "\(job) was interrupted"
        case .upstream(let job, .skipped): return "\(job) did not run"
        }
    }

    /// A run's status.
    static func run(_ status: RunStatus) -> String {
        status.rawValue
    }

    /// An attempt's status.
    static func attempt(_ status: AttemptStatus) -> String {
        switch status {
        case .timedOut: return "timed out"
        default: return status.rawValue
        }
    }

    /// What an event records, for a job that has no attempt.
    static func event(_ kind: EventKind) -> String {
        switch kind {
        case .awaitingApproval: return "waiting for approval"
        case .timedOut: return "timed out"
        default: return kind.rawValue
        }
    }
}
