/// Decides which instances an event runs (docs/planning.md, "Selection rules").
public struct Planner: Sendable {
    /// Creates a planner.
    public init() {}

    /// Plans `event` for `changes`.
    public func plan(_ pipeline: Pipeline, event: Event, changes: ChangeSet) -> Plan {
        let paths = PathSet(changes.paths)
        var reasons: [String: [SelectionReason]] = [:]
        var skipped: [String: SkipReason] = [:]

        // Rules 1 and 4: direct selection among the instances that take part in the event.
        for instance in pipeline.instances {
            // For a pull request, "mutating" is the reason that matters, whatever `on` says.
            if event == .pullRequest && instance.mutates {
                skipped[instance.id] = .mutatingOnPullRequest
            } else if !instance.events.contains(event) {
                skipped[instance.id] = .eventNotListened(event: event, on: instance.events)
            } else if event == .manual || event == .schedule {
                reasons[instance.id] = [.eventIgnoresPaths(event)]
            } else if instance.onlyWithNeeds {
                skipped[instance.id] = .onlyWithNeeds
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

        return complete(pipeline, event: event, changes: changes, changed: paths.paths.map(\.path), reasons, skipped)
    }

    /// Rules 2 and 3 (cascade and pull-in) over directly selected instances, and the plan.
    func complete(
        _ pipeline: Pipeline, event: Event, changes: ChangeSet, changed: [String],
        _ directReasons: [String: [SelectionReason]], _ directSkips: [String: SkipReason],
        marks: [String: Mark]? = nil
    ) -> Plan {
        var reasons = directReasons
        var skipped = directSkips
        func takesPart(_ instance: JobInstance) -> Bool { pipeline.takesPart(instance, in: event) }

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
                SelectedInstance(
                    id: id, reasons: $0, fingerprint: pipeline.instance(id)?.fingerprint ?? "",
                    approval: pipeline.instance(id)?.approval)
            }
        }
        let skippedList = pipeline.instances.compactMap { instance in
            skipped[instance.id].map {
                SkippedInstance(id: instance.id, reason: $0, fingerprint: instance.fingerprint)
            }
        }
        return Plan(
            event: event, changes: changes, changed: changed, selected: selected, skipped: skippedList, marks: marks)
    }

    static func isPullIn(_ reason: SelectionReason) -> Bool {
        if case .pulledIn = reason { return true }
        return false
    }
}
