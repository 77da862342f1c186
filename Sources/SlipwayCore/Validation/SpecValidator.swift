/// The outcome of validating a spec: the pipeline when there are no errors, and every diagnostic.
public struct ValidationResult: Sendable {
    /// The expanded pipeline; `nil` when any error was found.
    public var pipeline: Pipeline?
    /// Errors and warnings, in file order.
    public var diagnostics: [Diagnostic]
}

/// Checks what the YAML shape cannot: references between jobs, environments and secrets, the
/// dependency graph, patterns, and instance ids; then expands the spec into a `Pipeline`.
public struct SpecValidator: Sendable {
    /// Creates a validator.
    public init() {}

    /// Loads, validates and expands the spec at `path` in one step.
    public static func pipeline(path: String, displayName: String? = nil, reader: any FileReading = DiskFileReader())
        -> ValidationResult
    {
        let loaded = SpecLoader(reader: reader).load(path: path, displayName: displayName)
        return finish(loaded)
    }

    /// Loads, validates and expands a spec from its text.
    public static func pipeline(text: String, file: String = "slipway.yml") -> ValidationResult {
        finish(SpecLoader().load(text: text, file: file))
    }

    private static func finish(_ loaded: LoadResult) -> ValidationResult {
        guard let spec = loaded.spec else {
            return ValidationResult(pipeline: nil, diagnostics: loaded.diagnostics)
        }
        var result = SpecValidator().validate(spec)
        result.diagnostics = (loaded.diagnostics + result.diagnostics).sortedByLocation()
        if result.diagnostics.hasErrors { result.pipeline = nil }
        return result
    }

    /// Validates a loaded spec and, when it has no errors, expands it.
    public func validate(_ spec: Spec) -> ValidationResult {
        var check = Check(spec: spec)
        check.references()
        check.cycles()
        let patterns = check.patterns()
        check.warnings()
        let instances = check.instances(patterns: patterns)
        check.toolsWithoutDigests(instances)
        let pipeline =
            check.diagnostics.hasErrors ? nil : Pipeline(spec: spec, instances: instances, tools: check.tools)
        return ValidationResult(pipeline: pipeline, diagnostics: check.diagnostics.sortedByLocation())
    }
}

private struct Check {
    let spec: Spec
    let jobsByName: [String: Job]
    let environmentNames: [String]
    /// The pinned tools, resolved through the catalog once for every instance.
    let tools: [PinnedTool]
    var diagnostics: [Diagnostic] = []

    init(spec: Spec) {
        self.spec = spec
        self.tools = spec.tools.map(PinnedTool.init)
        var byName: [String: Job] = [:]
        for job in spec.jobs where byName[job.name] == nil { byName[job.name] = job }
        jobsByName = byName
        environmentNames = spec.environments.map(\.name)
    }

    var map: SourceMap { spec.sourceMap }

    mutating func report(_ kind: DiagnosticKind, _ path: [String]) {
        diagnostics.append(Diagnostic(kind, at: map.value(path)))
    }

    /// Reports at the key that introduces `path` (a job's name rather than its first key).
    mutating func reportAtKey(_ kind: DiagnosticKind, _ path: [String]) {
        diagnostics.append(Diagnostic(kind, at: map.key(path)))
    }

    // MARK: References

    mutating func references() {
        let declaredSecrets = Set(spec.secrets)
        for job in spec.jobs {
            for (index, need) in job.needs.enumerated() {
                let path = ["jobs", job.name, "needs", "\(index)"]
                if need == job.name {
                    report(.needsItself(job: job.name), path)
                } else if jobsByName[need] == nil {
                    let suggestion = Suggestion.closest(to: need, in: spec.jobs.map(\.name).filter { $0 != job.name })
                    report(.unknownNeed(job: job.name, need: need, suggestion: suggestion), path)
                }
            }
            switch job.environment {
            case .named(let name) where !environmentNames.contains(name):
                report(
                    .unknownEnvironment(job: job.name, environment: name, known: environmentNames),
                    ["jobs", job.name, "environment"])
            case .each where environmentNames.isEmpty:
                report(.eachWithoutEnvironments(job: job.name), ["jobs", job.name, "environment"])
            default:
                break
            }
            if job.environment == nil {
                for (index, path) in job.produces.enumerated() where path.contains("{environment}") {
                    report(
                        .environmentPlaceholderOutsideEach(job: job.name, pattern: path),
                        ["jobs", job.name, "produces", "\(index)"])
                }
            }
            if job.mutates, let index = job.on.firstIndex(of: .pullRequest) {
                report(.mutatingOnPullRequest(job: job.name), ["jobs", job.name, "on", "\(index)"])
            }
            for (index, provider) in job.oidc.enumerated() where !spec.oidc.configures(provider) {
                report(
                    .oidcNotConfigured(job: job.name, provider: provider.rawValue),
                    ["jobs", job.name, "oidc", "\(index)"])
            }
            for (index, secret) in job.secrets.enumerated() where !declaredSecrets.contains(secret) {
                let suggestion = Suggestion.closest(to: secret, in: spec.secrets)
                report(
                    .undeclaredSecret(job: job.name, secret: secret, suggestion: suggestion),
                    ["jobs", job.name, "secrets", "\(index)"])
            }
        }
    }

    // MARK: Cycles

    /// Reports one cycle per strongly connected component of the `needs` graph (Tarjan).
    mutating func cycles() {
        let names = spec.jobs.map(\.name)
        var index: [String: Int] = [:]
        var lowLink: [String: Int] = [:]
        var onStack: Set<String> = []
        var stack: [String] = []
        var counter = 0
        var components: [[String]] = []

        func edges(_ name: String) -> [String] {
            (jobsByName[name]?.needs ?? []).filter { jobsByName[$0] != nil && $0 != name }
        }

        // Iterative Tarjan, so a deep chain of 1,000 jobs cannot overflow the stack.
        for root in names where index[root] == nil {
            var work: [(node: String, next: Int)] = [(root, 0)]
            index[root] = counter
            lowLink[root] = counter
            counter += 1
            stack.append(root)
            onStack.insert(root)
            while let (node, next) = work.last {
                let successors = edges(node)
                if next < successors.count {
                    work[work.count - 1].next += 1
                    let successor = successors[next]
                    if index[successor] == nil {
                        index[successor] = counter
                        lowLink[successor] = counter
                        counter += 1
                        stack.append(successor)
                        onStack.insert(successor)
                        work.append((successor, 0))
                    } else if onStack.contains(successor) {
                        lowLink[node] = min(lowLink[node]!, index[successor]!)
                    }
                    continue
                }
                work.removeLast()
                if let parent = work.last?.node { lowLink[parent] = min(lowLink[parent]!, lowLink[node]!) }
                if lowLink[node] == index[node] {
                    var component: [String] = []
                    while let top = stack.popLast() {
                        onStack.remove(top)
                        component.append(top)
                        if top == node { break }
                    }
                    if component.count > 1 { components.append(component) }
                }
            }
        }

        for component in components {
            let members = Set(component)
            // Walk from the component's first job in spec order until a job repeats.
            let start = names.first { members.contains($0) }!
            var path = [start]
            var current = start
            while true {
                let next = edges(current).first { members.contains($0) }!
                if let loopStart = path.firstIndex(of: next) {
                    let cycle = Array(path[loopStart...]) + [next]
                    let from = cycle[0]
                    let needIndex = jobsByName[from]!.needs.firstIndex(of: cycle[1])!
                    report(.dependencyCycle(cycle: cycle), ["jobs", from, "needs", "\(needIndex)"])
                    break
                }
                path.append(next)
                current = next
            }
        }
    }

    // MARK: Patterns

    /// Compiles every job's patterns per environment; reports malformed ones once.
    mutating func patterns() -> [String: [String?: PatternList]] {
        var result: [String: [String?: PatternList]] = [:]
        for job in spec.jobs {
            let environments: [String?]
            switch job.environment {
            case .each: environments = environmentNames.isEmpty ? [nil] : environmentNames
            case .named(let name): environments = [name]
            case nil: environments = [nil]
            }
            var lists: [String?: PatternList] = [:]
            var reported = false
            for environment in environments {
                var sources: [String] = []
                for (index, pattern) in job.paths.enumerated() {
                    if pattern.contains("{environment}") {
                        guard let environment else {
                            if !reported {
                                report(
                                    .environmentPlaceholderOutsideEach(job: job.name, pattern: pattern),
                                    ["jobs", job.name, "paths", "\(index)"])
                            }
                            continue
                        }
                        sources.append(pattern.replacingOccurrences(of: "{environment}", with: environment))
                    } else {
                        sources.append(pattern)
                    }
                }
                do {
                    lists[environment] = try PatternList(sources)
                } catch {
                    if !reported {
                        let original = job.paths.firstIndex(of: error.pattern) ?? error.index
                        report(
                            .invalidGlob(job: job.name, pattern: job.paths[original], reason: error.error.description),
                            ["jobs", job.name, "paths", "\(original)"])
                    }
                    reported = true
                }
            }
            result[job.name] = lists
        }
        return result
    }

    // MARK: Warnings

    mutating func warnings() {
        let usedSecrets = Set(spec.jobs.flatMap(\.secrets))
        for (index, secret) in spec.secrets.enumerated() where !usedSecrets.contains(secret) {
            report(.unusedSecret(secret: secret), ["secrets", "\(index)"])
        }
        for job in spec.jobs {
            let changeEvents = job.on.filter { $0 == .pullRequest || $0 == .push }
            if job.onlyWithNeeds, !job.paths.isEmpty {
                report(.onlyWithNeedsHasPaths(job: job.name), ["jobs", job.name, "when"])
            } else if job.onlyWithNeeds, job.needs.isEmpty {
                report(.onlyWithNeedsWithoutNeeds(job: job.name), ["jobs", job.name, "when"])
            }
            if job.paths.isEmpty, !job.onlyWithNeeds, !changeEvents.isEmpty {
                let events = changeEvents.map { $0 == .pullRequest ? "pull request" : "push" }
                reportAtKey(.runsOnEveryChange(job: job.name, events: events), ["jobs", job.name])
            }
            if spec.schedule.isEmpty, let index = job.on.firstIndex(of: .schedule) {
                report(.scheduleWithoutCron(job: job.name), ["jobs", job.name, "on", "\(index)"])
            }
            if job.mutates, job.environment == nil {
                report(.mutatingWithoutEnvironment(job: job.name), ["jobs", job.name, "mutates"])
            }
            if job.mutates, job.retry > 0 {
                report(.retryOnMutatingJob(job: job.name), ["jobs", job.name, "retry"])
            }
            // A job selected by a change of its own runs without a mutating producer's files.
            // (A 'when: with-needs' job whose only mutating need is the producer runs only with it.)
            let mutatingNeeds = job.needs.filter { jobsByName[$0]?.mutates == true }
            let changeDriven = job.on.contains(.push) || job.on.contains(.pullRequest)
            for (index, need) in job.needs.enumerated() {
                guard changeDriven, let upstream = jobsByName[need], upstream.mutates, !upstream.produces.isEmpty,
                    !Set(upstream.paths).isSuperset(of: job.paths) || job.paths.isEmpty,
                    !(job.onlyWithNeeds && mutatingNeeds == [need])
                else { continue }
                report(
                    .filesFromMutatingProducer(job: job.name, producer: need, files: upstream.produces),
                    ["jobs", job.name, "needs", "\(index)"])
            }
            for (index, need) in job.needs.enumerated() {
                guard let upstream = jobsByName[need], !upstream.mutates else { continue }
                if let event = job.on.first(where: { !upstream.on.contains($0) }) {
                    report(
                        .needsJobNotOnEvent(job: job.name, need: need, event: event.rawValue),
                        ["jobs", job.name, "needs", "\(index)"])
                }
            }
        }
        for environment in spec.environments where environment.gate != nil {
            let deployed = spec.jobs.contains { job in
                job.mutates && (job.environment == .each || job.environment == .named(environment.name))
            }
            if !deployed {
                report(.gateWithoutMutatingJobs(environment: environment.name), ["environments", environment.name])
            }
        }
    }

    // MARK: Instances

    /// Expands per-environment jobs, resolves `needs` to instance ids and checks ids stay unique.
    mutating func instances(patterns: [String: [String?: PatternList]]) -> [JobInstance] {
        func environments(of job: Job) -> [String?] {
            switch job.environment {
            case .each: return environmentNames
            case .named(let name): return [name]
            case nil: return [nil]
            }
        }
        func instanceIDs(of need: Job, from environment: String?, perEnvironment: Bool) -> [String] {
            if need.isPerEnvironment {
                if perEnvironment, let environment { return [JobInstance.id(job: need.name, environment: environment)] }
                return environmentNames.map { JobInstance.id(job: need.name, environment: $0) }
            }
            return [need.name]
        }

        var result: [JobInstance] = []
        var owners: [String: String] = [:]
        for job in spec.jobs {
            var previous: String?
            for environment in environments(of: job) {
                let id = job.isPerEnvironment ? JobInstance.id(job: job.name, environment: environment) : job.name
                let needs = job.needs.compactMap { jobsByName[$0] }.filter { $0.name != job.name }.flatMap {
                    instanceIDs(of: $0, from: environment, perEnvironment: job.isPerEnvironment)
                }
                let instance = JobInstance(
                    id: id, job: job, environment: environment, needs: needs, after: previous.map { [$0] } ?? [],
                    patterns: patterns[job.name]?[environment] ?? PatternList(patterns: []), spec: spec, tools: tools)
                if let owner = owners[instance.slug] {
                    reportAtKey(.instanceIdCollision(id: instance.slug, first: owner, second: id), ["jobs", job.name])
                } else {
                    owners[instance.slug] = id
                }
                result.append(instance)
                if job.isPerEnvironment { previous = id }
            }
        }
        return result
    }

    // MARK: Tools

    /// Warns about each pinned tool that CI must install for some instance (one without `image`)
    /// but whose digest `slipway.yml` does not pin for any platform, or not for linux-amd64, where
    /// every hosted runner of the three platforms runs.
    mutating func toolsWithoutDigests(_ instances: [JobInstance]) {
        for tool in tools {
            let missing: String?
            if tool.lockedPlatforms.isEmpty {
                missing = nil
            } else if tool.platforms.contains(.linuxAMD64), !tool.lockedPlatforms.contains(.linuxAMD64) {
                missing = ToolPlatform.linuxAMD64.key
            } else {
                continue
            }
            let installers = instances.filter { $0.installsTools && $0.tools.contains(tool) }.map(\.id)
            if !installers.isEmpty {
                reportAtKey(
                    .toolWithoutDigests(tool: tool.name, jobs: installers, platform: missing), ["tools", tool.name])
            }
        }
    }
}
