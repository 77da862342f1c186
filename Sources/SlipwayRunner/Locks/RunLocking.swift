import SlipwayCore

/// How a run takes environment locks.
public struct RunLocking: Sendable {
    /// The run's id, recorded in the lock file.
    public var runID: String
    /// Where lock files live (`.slipway/locks`).
    public var directory: String
    /// How long to wait for a held lock (zero: fail at once).
    public var timeout: Duration
    /// The environment each mutating job locks.
    public var environments: [String: String]

    /// Creates a locking description.
    public init(runID: String, directory: String, timeout: Duration, environments: [String: String]) {
        self.runID = runID
        self.directory = directory
        self.timeout = timeout
        self.environments = environments
    }
}

extension RunLocking {
    /// The environment each mutating job of `jobs` locks while it runs.
    public static func environments(for jobs: [ScheduledJob], in pipeline: Pipeline) -> [String: String] {
        var environments: [String: String] = [:]
        for job in jobs {
            if let environment = pipeline.instance(job.id)?.locksEnvironment { environments[job.id] = environment }
        }
        return environments
    }
}
