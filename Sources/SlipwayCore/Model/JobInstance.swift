/// One runnable unit, resolved: a job, or one environment's instance of a per-environment job,
/// with every fact about what it does derived once.
///
/// The planner, the generators and the runner read these facts and derive none of their own, so
/// a job does the same thing on every platform and on a workstation (docs/spec.md, "Job
/// instances").
public struct JobInstance: Sendable, Identifiable {
    /// How long a job may run when its spec says nothing: one hour.
    public static let defaultTimeout = 3600

    /// `job` or `job@environment`.
    public let id: String
    /// The job's name, its key under `jobs`.
    public let name: String
    /// The environment this instance runs in, if any.
    public let environment: String?
    /// Instance ids this one needs (data and success dependencies).
    public let needs: [String]
    /// Instance ids this one must wait for without needing them: the previous environment's
    /// instance of the same job (promotion order).
    public let after: [String]
    /// Everything it waits for directly: `needs`, then `after`, each id once.
    public var waitsFor: [String] {
        var seen: Set<String> = []
        return (needs + after).filter { seen.insert($0).inserted }
    }
    /// Whether a change never selects it directly (`when: with-needs`): it runs only when a mutating
    /// job it needs runs, or a job needing it runs.
    public let onlyWithNeeds: Bool
    /// The environment whose lock it holds while it runs: its own, when it mutates.
    public var locksEnvironment: String? { mutates ? environment : nil }
    /// The job's `paths`, with `{environment}` replaced by this instance's environment.
    public let patterns: PatternList
    /// The id as CI platforms can use it as a job name: `@` becomes `-`.
    public let slug: String
    /// The events the instance takes part in (the job's `on`).
    public let events: [Event]
    /// Whether the instance changes live infrastructure.
    public let mutates: Bool
    /// The pause before this instance, from the job's gate or, for a mutating instance, its
    /// environment's.
    public let gate: Gate?
    /// What one approval of its gate covers: this instance alone (a job's own gate), or every
    /// mutating instance of the run for the environment (an environment's gate, asked once per run).
    public let approval: ApprovalScope?
    /// A human description, shown in plans and generated configs.
    public let description: String?
    /// The script bash runs, ending in a newline.
    public let script: String
    /// The variables the script sees, merged spec → environment → job (a later layer's value
    /// replaces an earlier one in its place), each with where its value comes from.
    public let variables: [ResolvedVariable]
    /// The secrets the instance receives, as listed.
    public let secrets: [String]
    /// The declared secrets it does not list, which it must not see.
    public let withheldSecrets: [String]
    /// Clouds it gets short-lived credentials for through OIDC.
    public let oidc: [OIDCProvider]
    /// The files it produces, with `{environment}` replaced by its environment.
    public let produces: [String]
    /// The instances whose produced files it receives, in execution order: every producer it
    /// needs, directly or through other instances it needs (docs/spec.md, "Artifacts").
    public internal(set) var receivesFrom: [String] = []
    /// The commands its script runs by a bare name, which bash looks up on `PATH`
    /// (`ShellCommands.lookedUp(in:)`), each once, in order of first appearance.
    public let commands: [String]
    /// The pinned tools its script runs as commands, in the order `tools` lists them.
    public let tools: [PinnedTool]
    /// How many times it may run in all: 1 + `retry`, and always 1 for a mutating instance.
    public let attempts: Int
    /// How long one attempt may run, in seconds.
    public let timeout: Int
    /// The directory the script runs in, relative to the repository root.
    public let workdir: String?
    /// The container image CI runs it in.
    public let image: String?
    /// Whether CI installs its pinned tools (it runs some and names no `image`, which would have
    /// to bring them); with an image, CI only checks their versions.
    public var installsTools: Bool { image == nil && !tools.isEmpty }
    /// A hash of everything that changes what the instance does (`JobFingerprint`).
    public let fingerprint: String

    /// The job this instance comes from; read only inside SlipwayCore, so that no other layer
    /// derives a fact of its own from the raw job.
    let job: Job

    init(
        id: String, job: Job, environment: String?, needs: [String], after: [String], patterns: PatternList,
        spec: Spec, tools: [PinnedTool]
    ) {
        self.id = id
        self.name = job.name
        self.job = job
        self.environment = environment
        self.needs = needs
        self.after = after
        self.patterns = patterns
        self.slug = Self.slug(for: id)
        self.events = job.on
        self.mutates = job.mutates
        self.onlyWithNeeds = job.onlyWithNeeds
        let declared = environment.flatMap { name in spec.environments.first { $0.name == name } }
        self.gate = job.gate ?? (job.mutates && environment != nil ? declared?.gate : nil)
        if job.gate != nil {
            self.approval = .job(id)
        } else if let environment, self.gate != nil {
            self.approval = .environment(environment)
        } else {
            self.approval = nil
        }
        self.description = job.description
        self.script = job.run.hasSuffix("\n") ? job.run : job.run + "\n"
        self.variables = ResolvedVariable.merge(spec: spec.env, environment: declared, job: job.env)
        self.secrets = job.secrets
        self.withheldSecrets = spec.secrets.filter { !job.secrets.contains($0) }
        self.oidc = job.oidc
        self.produces = job.produces.map { path in
            environment.map { path.replacingOccurrences(of: "{environment}", with: $0) } ?? path
        }
        let scan = ShellCommands.scan(job.run)
        self.commands = scan.lookedUp
        let commands = Set(scan.names)
        self.tools = tools.filter { commands.contains($0.name) }
        self.attempts = job.mutates ? 1 : job.retry + 1
        self.timeout = job.timeout ?? Self.defaultTimeout
        self.workdir = job.workdir
        self.image = job.image
        self.fingerprint = JobFingerprint.compute(
            script: script, variables: variables, image: image, workdir: workdir, secrets: secrets, oidc: oidc,
            configuration: spec.oidc, produces: produces, tools: self.tools)
    }

    /// The timeout in whole minutes, rounded up, as CI platforms take it.
    public var timeoutMinutes: Int { (timeout + 59) / 60 }

    /// The CI job name for an instance id: `@` becomes `-`.
    public static func slug(for id: String) -> String {
        String(id.map { $0 == "@" ? "-" : $0 })
    }

    static func id(job: String, environment: String?) -> String {
        environment.map { "\(job)@\($0)" } ?? job
    }
}

/// What one approval covers.
public enum ApprovalScope: Sendable, Hashable {
    /// A job's own gate: that instance.
    case job(String)
    /// An environment's gate: the run's changes to that environment.
    case environment(String)

    /// A stable text key, for schedulers and stores.
    public var key: String {
        switch self {
        case .job(let id): return "job:\(id)"
        case .environment(let name): return "environment:\(name)"
        }
    }
}
