import SlipwayCore

/// Everything a generator could not express exactly, as located diagnostics.
public struct GeneratorFailure: Error, Sendable {
    /// The problems, one per construct, each pointing into the spec.
    public var diagnostics: [Diagnostic]

    /// Creates a failure.
    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }
}

/// Where the spec says what a generator refuses, for its diagnostics.
extension Pipeline {
    /// The key of job `name`.
    func location(ofJob name: String) -> SourceLocation? {
        spec.sourceMap.key(["jobs", name])
    }

    /// A located error for each job (once, for all its instances) whose `timeout` is longer than
    /// `limit` minutes, what `platform` lets a job run.
    func timeoutProblems(platform: Platform, limit: Int) -> [Diagnostic] {
        var seen: Set<String> = []
        return instances.compactMap { instance in
            guard instance.timeoutMinutes > limit, seen.insert(instance.name).inserted else { return nil }
            return Diagnostic(
                .timeoutAbovePlatformLimit(
                    platform: platform, job: instance.name, minutes: instance.timeoutMinutes, limit: limit),
                at: location(ofTimeout: instance.name))
        }
    }

    /// Where job `name` sets `timeout`, or its key when it takes the default.
    func location(ofTimeout name: String) -> SourceLocation? {
        spec.sourceMap.value(["jobs", name, "timeout"]) ?? location(ofJob: name)
    }

    /// The `run` of job `name`.
    func location(ofScript name: String) -> SourceLocation? {
        spec.sourceMap.value(["jobs", name, "run"])
    }

    /// Where `variable` of an instance of job `name` gets its value: the top-level `env`, its
    /// environment's or the job's own.
    func location(of variable: ResolvedVariable, job name: String) -> SourceLocation? {
        switch variable.origin {
        case .spec:
            return spec.sourceMap.value(["env", variable.name])
        case .environment(let environment):
            return spec.sourceMap.value(["environments", environment, "env", variable.name])
        case .job:
            return spec.sourceMap.value(["jobs", name, "env", variable.name])
        }
    }

    /// Item `index` of the top-level `secrets`.
    func location(ofSecret index: Int) -> SourceLocation? {
        spec.sourceMap.value(["secrets", String(index)])
    }

    /// Item `index` of job `name`'s `paths`.
    func location(ofPattern index: Int, job name: String) -> SourceLocation? {
        spec.sourceMap.value(["jobs", name, "paths", String(index)])
    }
}
