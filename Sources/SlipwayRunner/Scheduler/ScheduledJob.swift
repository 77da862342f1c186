import SlipwayCore

/// One job the scheduler runs: what it waits for, and the rules that apply to it.
public struct ScheduledJob: Sendable, Hashable, Codable {
    /// The instance id (`apply@prod`).
    public var id: String
    /// Selected jobs that must succeed (or have nothing to do) before this one starts.
    public var waitsFor: [String]
    /// Whether the job pauses for approval before it starts.
    public var gated: Bool
    /// How many times the job may run in all (1 + retries; always 1 for mutating jobs).
    public var attempts: Int
    /// How long one attempt may run.
    public var timeout: Duration
    /// The environment a mutating job locks: no two jobs of a run holding the same one run at once.
    public var locksEnvironment: String?
    /// What an approval of its gate covers (`ApprovalScope.key`).
    ///
    /// Jobs sharing it are approved together, and asked about once; `nil` means the job itself.
    public var approvalKey: String?

    /// The key an approval of this job is recorded under.
    public var gateKey: String { approvalKey ?? "job:\(id)" }

    /// Creates a scheduled job.
    public init(
        id: String, waitsFor: [String] = [], gated: Bool = false, attempts: Int = 1,
        timeout: Duration = .seconds(JobInstance.defaultTimeout), locksEnvironment: String? = nil,
        approvalKey: String? = nil
    ) {
        self.locksEnvironment = locksEnvironment
        self.approvalKey = approvalKey
        self.id = id
        self.waitsFor = waitsFor
        self.gated = gated
        self.attempts = attempts
        self.timeout = timeout
    }

    /// The scheduled jobs of a plan, in its execution order: waiting only for selected jobs.
    public static func jobs(for plan: Plan, in pipeline: Pipeline) -> [ScheduledJob] {
        jobs(Set(plan.selectedIDs), in: pipeline)
    }

    /// The instances `selected`, in the pipeline's execution order, each waiting only for the
    /// others among them.
    public static func jobs(_ selected: Set<String>, in pipeline: Pipeline) -> [ScheduledJob] {
        pipeline.executionOrder.filter(selected.contains).compactMap { id in
            guard let instance = pipeline.instance(id) else { return nil }
            return ScheduledJob(
                id: id, waitsFor: instance.waitsFor.filter(selected.contains),
                gated: instance.gate != nil, attempts: instance.attempts, timeout: .seconds(instance.timeout),
                locksEnvironment: instance.locksEnvironment, approvalKey: instance.approval?.key)
        }
    }
}
