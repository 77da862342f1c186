import HeapModule

/// One runnable unit: a job, or one environment's instance of a per-environment job.
public struct JobInstance: Sendable, Identifiable {
    /// `job` or `job@environment`.
    public let id: String
    /// The job this instance comes from.
    public let job: Job
    /// The environment this instance runs in, if any.
    public let environment: String?
    /// Instance ids this one needs (data and success dependencies).
    public let needs: [String]
    /// Instance ids this one must wait for without needing them: the previous environment's
    /// instance of the same job (promotion order).
    public let after: [String]
    /// The job's `paths`, with `{environment}` replaced by this instance's environment.
    public let patterns: PatternList
    /// The id as CI platforms can use it as a job name: `@` becomes `-`.
    public let slug: String

    init(id: String, job: Job, environment: String?, needs: [String], after: [String], patterns: PatternList) {
        self.id = id
        self.job = job
        self.environment = environment
        self.needs = needs
        self.after = after
        self.patterns = patterns
        self.slug = Self.slug(for: id)
    }

    /// Whether the instance changes live infrastructure.
    public var mutates: Bool { job.mutates }

    /// Whether this instance pauses for approval, from the job's or its environment's gate.
    public func gate(in spec: Spec) -> Gate? {
        if let gate = job.gate { return gate }
        guard mutates, let environment else { return nil }
        return spec.environments.first { $0.name == environment }?.gate
    }

    /// The CI job name for an instance id: `@` becomes `-`.
    public static func slug(for id: String) -> String {
        String(id.map { $0 == "@" ? "-" : $0 })
    }

    static func id(job: String, environment: String?) -> String {
        environment.map { "\(job)@\($0)" } ?? job
    }
}

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

    private let indexByID: [String: Int]

    init(spec: Spec, instances: [JobInstance]) {
        self.spec = spec
        self.instances = instances
        var index: [String: Int] = [:]
        for (offset, instance) in instances.enumerated() { index[instance.id] = offset }
        self.indexByID = index
        self.executionOrder = Self.topologicalOrder(instances, index: index)
    }

    /// The instance with this id.
    public func instance(_ id: String) -> JobInstance? {
        indexByID[id].map { instances[$0] }
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
            for upstream in Set(instance.needs + instance.after) {
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
