/// One place where a run may ask for an environment's approval.
///
/// An environment's gate asks once per run, before the first of the run's mutating jobs for it,
/// and that approval covers the others (DESIGN.md). Which job is first depends on what the run
/// selects, but CI files are fixed, so each gated instance gets a point of its own: the point
/// before `instance` asks when `instance` runs and none of `earlier` does. At most one point per
/// environment asks in a run.
public struct ApprovalPoint: Sendable, Hashable {
    /// The environment it approves.
    public let environment: String
    /// The gated instance it comes before.
    public let instance: String
    /// The environment's gated instances before `instance` in execution order.
    public let earlier: [String]
    /// How many gated instances, of any environment, lie on the longest chain of jobs `instance`
    /// waits for: 0 when it waits for none (`ApprovalStage`).
    ///
    /// Counting every environment's, not only its own, keeps stages acyclic: a stage waits only for
    /// stages of lower levels, also when two environments' jobs wait for each other's.
    public let level: Int

    /// The approval's key in CI files: `slipway-approve-<instance slug>`.
    public var slug: String { "slipway-approve-\(JobInstance.slug(for: instance))" }

    /// What the approval prints once given, in the run's log.
    public var approvedMessage: String {
        "approved: this run's changes to \(environment) go ahead, from \(instance) on"
    }
}

extension ApprovalPoint {
    /// Every approval point of `instances` (indexed by id in `index`), in execution order `order`.
    static func points(of instances: [JobInstance], index: [String: Int], order: [String]) -> [ApprovalPoint] {
        var gated: [String: [String]] = [:]
        var points: [ApprovalPoint] = []
        // Per instance, the highest level of the gated instances at or above it (-1: none).
        var above = [Int](repeating: -1, count: instances.count)
        for id in order {
            guard let offset = index[id] else { continue }
            var highest = -1
            for upstream in instances[offset].waitsFor {
                guard let upstreamOffset = index[upstream] else { continue }
                highest = max(highest, above[upstreamOffset])
            }
            if case .environment(let environment) = instances[offset].approval {
                highest += 1
                points.append(
                    ApprovalPoint(
                        environment: environment, instance: id, earlier: gated[environment] ?? [], level: highest))
                gated[environment, default: []].append(id)
            }
            above[offset] = highest
        }
        return points
    }
}

extension Pipeline {
    /// The approval point before instance `id`, when its environment's gate asks there.
    public func approvalPoint(before id: String) -> ApprovalPoint? {
        approvalPoints.first { $0.instance == id }
    }

    /// The approval points instance `id` must wait for, in execution order: for each
    /// environment-gated instance it is or waits for, that instance's point and those of the
    /// environment's gated instances before it (whichever of them asked in this run).
    ///
    /// None of them waits for `id` itself, since a point waits only for what its instance waits for
    /// and comes before it in execution order.
    public func approvalPoints(awaitedBy id: String) -> [ApprovalPoint] {
        approvalPoints(covering: Set(upstream(of: id) + [id]))
    }

    /// The points of the gated instances in `covered`, and of their environments' gated
    /// instances before them.
    private func approvalPoints(covering covered: Set<String>) -> [ApprovalPoint] {
        var awaited: Set<String> = []
        for point in approvalPoints where covered.contains(point.instance) {
            awaited.insert(point.instance)
            awaited.formUnion(point.earlier)
        }
        return approvalPoints.filter { awaited.contains($0.instance) }
    }
}

/// One environment's approval points of one level, asked at as one job where a platform's jobs
/// and their `needs` are fixed in one file (GitHub): the file then grows with the gated jobs, not
/// with their square.
///
/// The first stage (in level order) with an instance the run selects asks, once, after what all of
/// its instances wait for; each gated instance waits for its environment's stages up to its own
/// level. A stage never waits for a job that waits for it: a gated instance that a stage's
/// instance waits for has a lower level, and so do the stages it waits for.
public struct ApprovalStage: Sendable, Hashable {
    /// The environment it approves.
    public let environment: String
    /// The level of its points (`ApprovalPoint.level`).
    public let level: Int
    /// Its points, in execution order.
    public let points: [ApprovalPoint]

    /// The stage's key in CI files: `slipway-approve-<level + 1>-<environment>`.
    public var slug: String { "slipway-approve-\(level + 1)-\(JobInstance.slug(for: environment))" }

    /// What the approval prints once given, in the run's log.
    public var approvedMessage: String { "approved: this run's changes to \(environment) go ahead" }
}

extension ApprovalStage {
    /// `points` grouped by environment and level, in the order of each group's first point.
    static func stages(of points: [ApprovalPoint]) -> [ApprovalStage] {
        var order: [String] = []
        var grouped: [String: [ApprovalPoint]] = [:]
        for point in points {
            let key = "\(point.level)\u{0}\(point.environment)"
            if grouped[key] == nil { order.append(key) }
            grouped[key, default: []].append(point)
        }
        return order.compactMap { key in
            guard let points = grouped[key], let first = points.first else { return nil }
            return ApprovalStage(environment: first.environment, level: first.level, points: points)
        }
    }
}

extension Pipeline {
    /// The stages one of which asks for instance `id` itself: its environment's, up to its level.
    public func approvalStages(askingFor id: String) -> [ApprovalStage] {
        guard let point = approvalPoints.first(where: { $0.instance == id }) else { return [] }
        return approvalStages.filter { $0.environment == point.environment && $0.level <= point.level }
    }
}
