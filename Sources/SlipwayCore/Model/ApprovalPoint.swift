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
        for id in order {
            guard let offset = index[id], case .environment(let environment) = instances[offset].approval else {
                continue
            }
            points.append(ApprovalPoint(environment: environment, instance: id, earlier: gated[environment] ?? []))
            gated[environment, default: []].append(id)
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

    /// The approval points the point before instance `id` waits for, on platforms where it waits
    /// for everything upstream: those of what `id` waits for.
    public func approvalPoints(awaitedByPointBefore id: String) -> [ApprovalPoint] {
        approvalPoints(covering: Set(upstream(of: id)))
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
