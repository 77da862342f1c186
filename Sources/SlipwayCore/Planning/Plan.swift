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
    /// Convergence: the instance never succeeded on the default branch.
    case neverSucceeded
    /// Convergence: a file its paths match (any file, for a job without paths, when `pattern` is
    /// nil) changed between its mark and the head.
    case changedSinceMark(path: String, pattern: String?, mark: String)
    /// Convergence: the commit of its mark is not in the repository (dropped by a force push and
    /// collected), so every file counts as changed.
    case markUnknown(mark: String)
    /// Convergence: its definition (`JobInstance.fingerprint`) differs from its mark's.
    case definitionChanged(mark: String)
    /// Convergence: a mutating instance it needs succeeded after it last did.
    case upstreamAppliedAfter(need: String)
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
        case .neverSucceeded: return "out of date: never succeeded"
        case .changedSinceMark(let path, let pattern, let mark):
            let matching = pattern.map { " (matches \($0))" } ?? ""
            return "out of date: \(path)\(matching) changed since its last success at \(Mark.short(mark))"
        case .markUnknown(let mark):
            return "out of date: its last success at \(Mark.short(mark)) is no longer in this repository"
        case .definitionChanged(let mark):
            return "out of date: its definition changed since its last success at \(Mark.short(mark))"
        case .upstreamAppliedAfter(let need): return "out of date: \(need) applied after it last succeeded"
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
    /// Convergence: nothing it depends on changed since its last success at this commit.
    case upToDate(mark: String)

    public var description: String {
        switch self {
        case .eventNotListened(_, let on):
            return on.isEmpty ? "listens to no event" : "runs on \(on.map(\.rawValue).joined(separator: " and ")) only"
        case .mutatingOnPullRequest: return "mutating jobs never run for pull requests"
        case .nothingChanged: return "no file changed"
        case .noMatch(let patterns): return "no changed file matches \(patterns.joined(separator: ", "))"
        case .onlyWithNeeds: return "runs only with the jobs it needs (when: with-needs), and none of them runs"
        case .upToDate(let mark):
            return "up to date: nothing it depends on changed since its last success at \(Mark.short(mark))"
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
    /// For a converging plan, every instance's mark (absent: it never succeeded); `nil` for a
    /// plan of a change set.
    public var marks: [String: Mark]?
    /// For a pull request, what is already out of date on the default branch: what the next push
    /// there runs whatever the pull request changes; `nil` when it was not worked out.
    public var pendingOnDefaultBranch: [SelectedInstance]?

    /// Creates a plan.
    public init(
        event: Event, changes: ChangeSet, changed: [String], selected: [SelectedInstance],
        skipped: [SkippedInstance], marks: [String: Mark]? = nil
    ) {
        self.event = event
        self.changes = changes
        self.changed = changed
        self.selected = selected
        self.skipped = skipped
        self.marks = marks
    }

    /// The ids of the selected instances, in execution order.
    public var selectedIDs: [String] { selected.map(\.id) }
}
