import HeapModule

/// A validated spec, expanded into instances with resolved dependencies: what the planner, the
/// generators and the runner work from.
public struct Pipeline: Sendable {
    /// The spec this pipeline was built from.
    public let spec: Spec
    /// Every instance, in spec order (a per-environment job's instances in environment order).
    public let instances: [JobInstance]
    /// Instance ids in an order where everything comes after what it needs and what it waits for;
    /// ties keep spec order.
    public let executionOrder: [String]
    /// Every tool `slipway.yml` pins, resolved, in the order `tools` lists them.
    public let tools: [PinnedTool]
    /// Every place an environment's gate may ask, in execution order (`ApprovalPoint`).
    public let approvalPoints: [ApprovalPoint]
    /// The approval points grouped by environment and level, in the order of their first points
    /// (`ApprovalStage`).
    public let approvalStages: [ApprovalStage]

    private let indexByID: [String: Int]

    init(spec: Spec, instances: [JobInstance], tools: [PinnedTool]) {
        self.spec = spec
        self.tools = tools
        var index: [String: Int] = [:]
        for (offset, instance) in instances.enumerated() { index[instance.id] = offset }
        self.indexByID = index
        let order = Self.topologicalOrder(instances, index: index)
        self.executionOrder = order
        let resolved = Self.resolvingReceivedFiles(instances, index: index, order: order)
        self.instances = resolved
        self.approvalPoints = ApprovalPoint.points(of: resolved, index: index, order: order)
        self.approvalStages = ApprovalStage.stages(of: approvalPoints)
    }

    /// Sets each instance's `receivesFrom`: every producer it needs, directly or transitively.
    ///
    /// Walking the execution order visits every need before its dependents.
    private static func resolvingReceivedFiles(_ instances: [JobInstance], index: [String: Int], order: [String])
        -> [JobInstance]
    {
        var resolved = instances
        var position: [String: Int] = [:]
        for (offset, id) in order.enumerated() { position[id] = offset }
        var received: [Set<String>] = Array(repeating: [], count: instances.count)
        for id in order {
            guard let offset = index[id] else { continue }
            var producers: Set<String> = []
            for need in instances[offset].needs {
                guard let needOffset = index[need] else { continue }
                producers.formUnion(received[needOffset])
                if !instances[needOffset].produces.isEmpty { producers.insert(need) }
            }
            received[offset] = producers
            resolved[offset].receivesFrom = producers.sorted { position[$0, default: 0] < position[$1, default: 0] }
        }
        return resolved
    }

    /// The instance with this id.
    public func instance(_ id: String) -> JobInstance? {
        indexByID[id].map { instances[$0] }
    }

    /// Everything instance `id` waits for, directly or through what it waits for, in execution order.
    public func upstream(of id: String) -> [String] {
        var seen: Set<String> = []
        var stack = instance(id)?.waitsFor ?? []
        while let next = stack.popLast() {
            guard seen.insert(next).inserted, let upstream = instance(next) else { continue }
            stack += upstream.waitsFor
        }
        return executionOrder.filter(seen.contains)
    }

    /// The position of the instance with this id in `instances`.
    public func index(of id: String) -> Int? {
        indexByID[id]
    }

    /// Kahn's algorithm, always taking the earliest ready instance in spec order.
    private static func topologicalOrder(_ instances: [JobInstance], index: [String: Int]) -> [String] {
        var remaining = [Int](repeating: 0, count: instances.count)
        var dependents = [[Int]](repeating: [], count: instances.count)
        for (offset, instance) in instances.enumerated() {
            for upstream in instance.waitsFor {
                guard let upstreamIndex = index[upstream] else { continue }
                remaining[offset] += 1
                dependents[upstreamIndex].append(offset)
            }
        }
        var ready = Heap(remaining.indices.filter { remaining[$0] == 0 })
        var order: [String] = []
        order.reserveCapacity(instances.count)
        while let next = ready.popMin() {
            order.append(instances[next].id)
            for dependent in dependents[next] {
                remaining[dependent] -= 1
                if remaining[dependent] == 0 { ready.insert(dependent) }
            }
        }
        return order
    }
}
