import Foundation

/// Where a job instance last succeeded on the default branch (DESIGN.md, "Convergence").
public struct Mark: Hashable, Sendable, Codable {
    /// The commit the instance succeeded at.
    public var commit: String
    /// Its `JobInstance.fingerprint` then.
    public var fingerprint: String
    /// When it succeeded: a mutating instance that succeeded later than an instance that needs
    /// it changed live infrastructure after that instance last ran.
    public var succeededAt: Date

    /// Creates a mark.
    public init(commit: String, fingerprint: String, succeededAt: Date) {
        self.commit = commit
        self.fingerprint = fingerprint
        self.succeededAt = succeededAt
    }

    /// A commit as the output shows it: its first 7 hex digits.
    public static func short(_ commit: String) -> String { String(commit.prefix(7)) }
}

/// What convergence plans from: the head, every instance's mark, and what changed since each
/// marked commit.
public struct Convergence: Sendable {
    /// The commit being converged to.
    public var head: String
    /// Marks by instance id; an instance without one never succeeded.
    public var marks: [String: Mark]
    /// The files changed between each marked commit and the head (a tree diff: renames under both
    /// names, deletions too); a change set with `everythingBecause` for a commit not in the
    /// repository.
    public var changesSince: [String: ChangeSet]

    /// Creates the input of a converging plan.
    public init(head: String, marks: [String: Mark], changesSince: [String: ChangeSet]) {
        self.head = head
        self.marks = marks
        self.changesSince = changesSince
    }

    /// Marks kept by instance slug (as `MarkRefs` are) keyed by the instance ids of `pipeline`.
    public static func marks(bySlug: [String: Mark], in pipeline: Pipeline) -> [String: Mark] {
        pipeline.instances.reduce(into: [:]) { marks, instance in marks[instance.id] = bySlug[instance.slug] }
    }

    /// The marked commits whose changes up to the head the plan needs, each once.
    public static func commits(of marks: [String: Mark]) -> [String] {
        Array(Set(marks.values.map(\.commit))).sorted()
    }
}

extension Planner {
    /// Plans a push or manual run of the default branch by convergence: every instance taking
    /// part in `event` that is out of date is directly selected, then cascade and pull-in apply.
    ///
    /// An instance is out of date when it has no mark, a file its `paths` match (any file, for a
    /// job without `paths`) changed between its mark and the head, its fingerprint differs from
    /// its mark's, or a mutating instance it needs succeeded after it.
    public func converge(_ pipeline: Pipeline, event: Event, _ state: Convergence) -> Plan {
        var reasons: [String: [SelectionReason]] = [:]
        var skipped: [String: SkipReason] = [:]
        var changedAnywhere = Set<String>()
        for instance in pipeline.instances {
            guard instance.events.contains(event) else {
                skipped[instance.id] = .eventNotListened(event: event, on: instance.events)
                continue
            }
            if instance.onlyWithNeeds {
                skipped[instance.id] = .onlyWithNeeds
                continue
            }
            guard let mark = state.marks[instance.id] else {
                reasons[instance.id] = [.neverSucceeded]
                continue
            }
            var why: [SelectionReason] = []
            if mark.fingerprint != instance.fingerprint { why.append(.definitionChanged(mark: mark.commit)) }
            if mark.commit != state.head {
                let changes = state.changesSince[mark.commit] ?? ChangeSet(paths: [], everythingBecause: "unknown")
                changedAnywhere.formUnion(changes.paths)
                if changes.everythingBecause != nil {
                    why.append(.markUnknown(mark: mark.commit))
                } else if instance.patterns.patterns.isEmpty {
                    if let first = changes.paths.first {
                        why.append(.changedSinceMark(path: first, pattern: nil, mark: mark.commit))
                    }
                } else if let match = instance.patterns.firstMatch(in: PathSet(changes.paths)) {
                    why.append(.changedSinceMark(path: match.path, pattern: match.pattern.source, mark: mark.commit))
                }
            }
            for need in instance.needs {
                guard let upstream = pipeline.instance(need), upstream.mutates,
                    let upstreamMark = state.marks[need], upstreamMark.succeededAt > mark.succeededAt
                else { continue }
                why.append(.upstreamAppliedAfter(need: need))
            }
            if why.isEmpty {
                skipped[instance.id] = .upToDate(mark: mark.commit)
            } else {
                reasons[instance.id] = why
            }
        }
        let changes = ChangeSet(base: nil, head: state.head, paths: changedAnywhere.sorted())
        return complete(
            pipeline, event: event, changes: changes, changed: PathSet(changes.paths).paths.map(\.path), reasons,
            skipped, marks: state.marks)
    }
}
