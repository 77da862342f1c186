extension Pipeline {
    /// Whether `instance` takes part in `event`: it listens to the event, and it is not a mutating
    /// job on a pull request.
    public func takesPart(_ instance: JobInstance, in event: Event) -> Bool {
        instance.events.contains(event) && !(event == .pullRequest && instance.mutates)
    }

    /// For each instance, the instances whose direct selection selects it for `event` (docs/planning.md
    /// rule 5): the planner's rules unrolled into a static "any of these pattern lists matches".
    ///
    /// An instance runs exactly when one of its triggers is directly selected (no `paths`, or a
    /// changed file matches its patterns). Instances that do not take part map to an empty list.
    /// Generators compile these lists into each platform's mechanism; the planner's own
    /// propagation is tested to agree with them.
    public func selectionTriggers(for event: Event) -> [String: [String]] {
        var direct: [String: Set<String>] = [:]
        // Rules 1 and 2: itself, plus the triggers of every mutating need that takes part.
        for id in executionOrder {
            guard let instance = instance(id), takesPart(instance, in: event) else {
                direct[id] = []
                continue
            }
            // A `when: with-needs` instance is not its own trigger on change events; manual and
            // scheduled runs select everything that listens to them.
            let ownTrigger = !instance.onlyWithNeeds || event == .manual || event == .schedule
            var triggers: Set<String> = ownTrigger ? [id] : []
            for need in instance.needs {
                guard let upstream = self.instance(need), upstream.mutates else { continue }
                triggers.formUnion(direct[need] ?? [])
            }
            direct[id] = triggers
        }
        // Rule 3: a non-mutating instance that takes part also runs when any instance needing it runs.
        var all = direct
        var dependents: [String: [String]] = [:]
        for instance in instances {
            for need in instance.needs { dependents[need, default: []].append(instance.id) }
        }
        for id in executionOrder.reversed() {
            guard let instance = instance(id), takesPart(instance, in: event), !instance.mutates else { continue }
            for dependent in dependents[id] ?? [] {
                all[id, default: []].formUnion(all[dependent] ?? [])
            }
        }
        let order = Dictionary(uniqueKeysWithValues: executionOrder.enumerated().map { ($1, $0) })
        return all.mapValues { $0.sorted { order[$0]! < order[$1]! } }
    }
}
