import SlipwayCore

/// What a job hands on and takes over through the artifact store.
public struct JobArtifacts: Sendable, Hashable {
    /// Paths the job produces.
    public var produces: [String]
    /// Jobs whose produced files are restored before this one starts.
    public var consumesFrom: [String]

    /// Creates a description.
    public init(produces: [String], consumesFrom: [String]) {
        self.produces = produces
        self.consumesFrom = consumesFrom
    }
}

extension JobArtifacts {
    /// What each of `jobs` produces, and whose produced files it receives (`JobInstance.receivesFrom`).
    public static func map(for jobs: [ScheduledJob], in pipeline: Pipeline) -> [String: JobArtifacts] {
        var artifacts: [String: JobArtifacts] = [:]
        for job in jobs {
            guard let instance = pipeline.instance(job.id) else { continue }
            artifacts[job.id] = JobArtifacts(produces: instance.produces, consumesFrom: instance.receivesFrom)
        }
        return artifacts
    }
}
