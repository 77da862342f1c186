import SlipwayCore

/// How a whole run ended; each maps to one of the documented exit codes (README, "Commands").
public enum RunOutcome: Sendable, Hashable {
    /// Every job succeeded (exit 0).
    case succeeded
    /// A job failed or timed out (exit 1).
    case failed(jobs: [String])
    /// Nothing failed, but gated jobs wait for approval (exit 3).
    case paused(awaiting: [String])
    /// The run was interrupted (exit 130).
    case interrupted

    /// The process exit code the README documents for this outcome.
    public var exitCode: Int32 {
        switch self {
        case .succeeded: return 0
        case .failed: return 1
        case .paused: return 3
        case .interrupted: return 130
        }
    }
}
