/// The files an event changed, and the commits they were computed between.
public struct ChangeSet: Sendable, Hashable {
    /// The commit the change is measured from (a merge base or `before`), when known.
    public var base: String?
    /// The commit the change is measured to.
    public var head: String?
    /// Changed paths relative to the repository root, renames counted under both names.
    public var paths: [String]
    /// Why everything counts as changed (a first push), if that is the case: every path filter
    /// then matches, and `paths` lists every tracked file for reference.
    public var everythingBecause: String?

    /// Creates a change set.
    public init(base: String? = nil, head: String? = nil, paths: [String], everythingBecause: String? = nil) {
        self.base = base
        self.head = head
        self.paths = paths
        self.everythingBecause = everythingBecause
    }
}

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

    public var description: String {
        switch self {
        case .eventNotListened(_, let on):
            return on.isEmpty ? "listens to no event" : "runs on \(on.map(\.rawValue).joined(separator: " and ")) only"
        case .mutatingOnPullRequest: return "mutating jobs never run for pull requests"
        case .nothingChanged: return "no file changed"
        case .noMatch(let patterns): return "no changed file matches \(patterns.joined(separator: ", "))"
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

    /// Creates a selected instance.
    public init(id: String, reasons: [SelectionReason], fingerprint: String) {
        self.id = id
        self.reasons = reasons
        self.fingerprint = fingerprint
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

/// Decides which instances an event runs (docs/planning.md, "Selection rules").
public struct Planner: Sendable {
    /// Creates a planner.
    public init() {}

    /// Plans `event` for `changes`.
    public func plan(_ pipeline: Pipeline, event: Event, changes: ChangeSet) -> Plan {
        let paths = PathSet(changes.paths)
        var reasons: [String: [SelectionReason]] = [:]
        var skipped: [String: SkipReason] = [:]

        func takesPart(_ instance: JobInstance) -> Bool {
            instance.events.contains(event) && !(event == .pullRequest && instance.mutates)
        }

        // Rules 1 and 4: direct selection among the instances that take part in the event.
        for instance in pipeline.instances {
            // For a pull request, "mutating" is the reason that matters, whatever `on` says.
            if event == .pullRequest && instance.mutates {
                skipped[instance.id] = .mutatingOnPullRequest
            } else if !instance.events.contains(event) {
                skipped[instance.id] = .eventNotListened(event: event, on: instance.events)
            } else if event == .manual || event == .schedule {
                reasons[instance.id] = [.eventIgnoresPaths(event)]
            } else if instance.patterns.patterns.isEmpty {
                reasons[instance.id] = [.noPathFilter]
            } else if changes.everythingBecause != nil {
                reasons[instance.id] = [.everythingChanged]
            } else if let match = instance.patterns.firstMatch(in: paths) {
                reasons[instance.id] = [.matched(path: match.path, pattern: match.pattern.source)]
            } else {
                skipped[instance.id] =
                    paths.isEmpty ? .nothingChanged : .noMatch(patterns: instance.patterns.patterns.map(\.source))
            }
        }

        // Rule 2: cascade downstream from selected mutating instances, in execution order so that
        // a cascade reaches everything below it in one pass.
        for id in pipeline.executionOrder {
            guard let instance = pipeline.instance(id), takesPart(instance) else { continue }
            for need in instance.needs {
                guard let upstream = pipeline.instance(need), upstream.mutates, reasons[need] != nil else { continue }
                reasons[id, default: []].append(.cascade(from: need))
                skipped[id] = nil
            }
        }

        // Rule 3: pull in non-mutating upstream instances, transitively; walking the execution
        // order backwards visits every dependent before the instances it needs.
        for id in pipeline.executionOrder.reversed() where reasons[id] != nil {
            guard let instance = pipeline.instance(id) else { continue }
            for need in instance.needs {
                guard let upstream = pipeline.instance(need), !upstream.mutates, takesPart(upstream) else { continue }
                if reasons[need] == nil || reasons[need]!.allSatisfy(Self.isPullIn) {
                    reasons[need, default: []].append(.pulledIn(by: id))
                    skipped[need] = nil
                }
            }
        }

        let selected = pipeline.executionOrder.compactMap { id in
            reasons[id].map {
                SelectedInstance(id: id, reasons: $0, fingerprint: pipeline.instance(id)?.fingerprint ?? "")
            }
        }
        let skippedList = pipeline.instances.compactMap { instance in
            skipped[instance.id].map {
                SkippedInstance(id: instance.id, reason: $0, fingerprint: instance.fingerprint)
            }
        }
        return Plan(
            event: event, changes: changes, changed: paths.paths.map(\.path), selected: selected, skipped: skippedList)
    }

    private static func isPullIn(_ reason: SelectionReason) -> Bool {
        if case .pulledIn = reason { return true }
        return false
    }
}
