/// Why the planner selected an instance.
public enum SelectionReason: Hashable, Sendable, CustomStringConvertible {
    /// The job has no `paths`, so any change selects it.
    case noPathFilter
    /// A changed file matched one of the job's patterns.
    case matched(path: String, pattern: String)
    /// Manual and scheduled runs select every job that listens to them; paths do not apply.
    case eventIgnoresPaths(Event)
    /// The change set is "everything" (a first push), so every path filter matches.
    case everythingChanged
    /// The instance needs a mutating instance that runs, so it must run after it.
    case cascade(from: String)
    /// A selected instance needs this non-mutating one.
    case pulledIn(by: String)

    public var description: String {
        switch self {
        case .noPathFilter: return "no paths: runs on every change"
        case .matched(let path, let pattern): return "\(path) matches \(pattern)"
        case .eventIgnoresPaths(let event): return "\(event.rawValue) runs select every job that listens to them"
        case .everythingChanged: return "everything counts as changed"
        case .cascade(let from): return "needs \(from), which runs"
        case .pulledIn(let by): return "pulled in by \(by)"
        }
    }
}

/// Why the planner skipped an instance.
public enum SkipReason: Hashable, Sendable, CustomStringConvertible {
    /// The job does not listen to the event.
    case eventNotListened(event: Event, on: [Event])
    /// Mutating jobs never run for pull requests.
    case mutatingOnPullRequest
    /// Nothing changed, and the job has path filters.
    case nothingChanged
    /// No changed file matched the job's patterns.
    case noMatch(patterns: [String])
    /// `when: with-needs`, and no job it needs or that needs it runs.
    case onlyWithNeeds

    public var description: String {
        switch self {
        case .eventNotListened(_, let on):
            return on.isEmpty ? "listens to no event" : "runs on \(on.map(\.rawValue).joined(separator: " and ")) only"
        case .mutatingOnPullRequest: return "mutating jobs never run for pull requests"
        case .nothingChanged: return "no file changed"
        case .noMatch(let patterns): return "no changed file matches \(patterns.joined(separator: ", "))"
        case .onlyWithNeeds: return "runs only with the jobs it needs (when: with-needs), and none of them runs"
        }
    }
}

/// An instance the plan runs, with every reason it was selected.
public struct SelectedInstance: Hashable, Sendable {
    /// The instance id (`apply@prod`).
    public var id: String
    /// Why it runs; never empty.
    public var reasons: [SelectionReason]
    /// The instance's fingerprint (`JobInstance.fingerprint`).
    public var fingerprint: String
    /// The gate it waits at before it starts, and what one approval of that gate covers.
    public var approval: ApprovalScope?

    /// Creates a selected instance.
    public init(id: String, reasons: [SelectionReason], fingerprint: String, approval: ApprovalScope? = nil) {
        self.id = id
        self.reasons = reasons
        self.fingerprint = fingerprint
        self.approval = approval
    }
}

/// An instance the plan does not run, and why.
public struct SkippedInstance: Hashable, Sendable {
    /// The instance id.
    public var id: String
    /// Why it does not run.
    public var reason: SkipReason
    /// The instance's fingerprint (`JobInstance.fingerprint`).
    public var fingerprint: String

    /// Creates a skipped instance.
    public init(id: String, reason: SkipReason, fingerprint: String) {
        self.id = id
        self.reason = reason
        self.fingerprint = fingerprint
    }
}

/// What an event runs: the selected instances in execution order, and the skipped ones.
public struct Plan: Hashable, Sendable {
    /// The event planned for.
    public var event: Event
    /// The change set the plan was computed from.
    public var changes: ChangeSet
    /// The changed paths, deduplicated and in byte order (git's order).
    public var changed: [String]
    /// Instances that run, in a valid execution order.
    public var selected: [SelectedInstance]
    /// Instances that do not run, in spec order.
    public var skipped: [SkippedInstance]

    /// The ids of the selected instances, in execution order.
    public var selectedIDs: [String] { selected.map(\.id) }
}
