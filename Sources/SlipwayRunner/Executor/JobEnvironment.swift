import SlipwayCore

/// Builds a job's complete process environment, with least privilege for secrets.
public enum JobEnvironment {
    /// The environment for `instance`: the runner's own environment without any declared secret,
    /// then the instance's variables, Slipway's variables, and only the secrets the instance
    /// lists (from `secretValues`).
    public static func build(
        base: [String: String], instance: JobInstance, secretValues: [String: String], runID: String, event: Event,
        summaryPath: String
    ) -> [String: String] {
        var environment = base
        for secret in instance.secrets + instance.withheldSecrets { environment[secret] = nil }
        for variable in instance.variables { environment[variable.name] = variable.value }
        environment["SLIPWAY_RUN_ID"] = runID
        environment["SLIPWAY_JOB"] = instance.id
        environment["SLIPWAY_EVENT"] = event.rawValue
        environment["SLIPWAY_SUMMARY"] = summaryPath
        environment["SLIPWAY_ENVIRONMENT"] = instance.environment
        environment["SLIPWAY_FINGERPRINT"] = instance.fingerprint
        for secret in instance.secrets { environment[secret] = secretValues[secret] }
        return environment
    }

    /// A secret a job lists that has no value.
    public struct MissingSecret: Hashable, Sendable {
        /// The job instance that lists it.
        public var job: String
        /// The secret's name.
        public var secret: String

        /// Creates a missing secret.
        public init(job: String, secret: String) {
            self.job = job
            self.secret = secret
        }
    }

    /// The secrets the instances `jobs` list that have no value in `secretValues`, in job order.
    public static func missingSecrets(
        of jobs: [String], in pipeline: Pipeline, secretValues: [String: String]
    ) -> [MissingSecret] {
        jobs.flatMap { id in
            (pipeline.instance(id)?.secrets ?? []).filter { secretValues[$0] == nil }.map {
                MissingSecret(job: id, secret: $0)
            }
        }
    }

    /// The processes for the instances `jobs`: each runs its script in its `workdir` below `root`
    /// (or `root`), with the environment `build` gives it and its summary in `summaryDirectory`;
    /// every declared secret's value is masked in every job's output.
    public static func executables(
        for jobs: [String], in pipeline: Pipeline, root: String, base: [String: String],
        secretValues: [String: String], runID: String, event: Event, summaryDirectory: String
    ) -> [String: ExecutableJob] {
        let masked = Set(
            secretValues.filter { pipeline.spec.secrets.contains($0.key) }.values.flatMap(SecretMasker.forms(of:))
        ).sorted()
        var executables: [String: ExecutableJob] = [:]
        for id in jobs {
            guard let instance = pipeline.instance(id) else { continue }
            executables[id] = ExecutableJob(
                id: id, script: instance.script,
                directory: instance.workdir.map { "\(root)/\($0)" } ?? root,
                environment: build(
                    base: base, instance: instance, secretValues: secretValues, runID: runID, event: event,
                    summaryPath: "\(summaryDirectory)/\(instance.slug).summary.md"),
                secretValues: masked)
        }
        return executables
    }
}
