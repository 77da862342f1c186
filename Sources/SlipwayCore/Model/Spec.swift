/// The events a pipeline reacts to.
public enum Event: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case pullRequest = "pull_request"
    case push
    case manual
    case schedule

    /// The events a job takes part in when its spec says nothing.
    public static let defaults: [Event] = [.pullRequest, .push]

    public static func < (lhs: Event, rhs: Event) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The CI platforms `generate` writes configuration for.
public enum Platform: String, Sendable, Hashable, CaseIterable, Codable {
    case github
    case gitlab
    case bitbucket

    /// The platform's own name, for messages.
    public var displayName: String {
        switch self {
        case .github: return "GitHub"
        case .gitlab: return "GitLab"
        case .bitbucket: return "Bitbucket"
        }
    }
}

/// A cloud whose short-lived credentials a job gets through the CI platform's OIDC token.
public enum OIDCProvider: String, Sendable, Hashable, CaseIterable, Codable {
    case aws
    case gcp
}

/// How to exchange a CI platform's OIDC token for cloud credentials.
public struct OIDCConfiguration: Sendable, Hashable {
    /// AWS: the IAM role to assume with the token, and the region.
    public var aws: (role: String, region: String)?
    /// GCP: the workload identity provider and the service account to impersonate.
    public var gcp: (provider: String, serviceAccount: String)?

    /// Creates a configuration.
    public init(aws: (role: String, region: String)? = nil, gcp: (provider: String, serviceAccount: String)? = nil) {
        self.aws = aws
        self.gcp = gcp
    }

    /// Whether `provider` is configured.
    public func configures(_ provider: OIDCProvider) -> Bool {
        switch provider {
        case .aws: return aws != nil
        case .gcp: return gcp != nil
        }
    }

    public static func == (lhs: OIDCConfiguration, rhs: OIDCConfiguration) -> Bool {
        lhs.aws?.role == rhs.aws?.role && lhs.aws?.region == rhs.aws?.region && lhs.gcp?.provider == rhs.gcp?.provider
            && lhs.gcp?.serviceAccount == rhs.gcp?.serviceAccount
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(aws?.role)
        hasher.combine(aws?.region)
        hasher.combine(gcp?.provider)
        hasher.combine(gcp?.serviceAccount)
    }
}

/// A pause before a job until a person approves it.
public enum Gate: String, Sendable, Hashable, Codable {
    case manual
}

/// Where a job deploys: one named environment, or once per declared environment.
public enum EnvironmentBinding: Sendable, Hashable {
    /// The job runs once, in this environment.
    case named(String)
    /// The job is instantiated once per environment, in their declared order (`job@env`).
    case each
}

/// An ordered list of `NAME: value` pairs, as written in the spec.
public typealias Variables = [(name: String, value: String)]

/// A deployment target, in promotion order within `Spec.environments`.
public struct Environment: Sendable {
    /// The environment's name (`dev`, `prod`).
    public var name: String
    /// A gate that applies to every mutating job deploying here.
    public var gate: Gate?
    /// Variables that every job running in this environment receives.
    public var env: Variables

    /// Creates an environment.
    public init(name: String, gate: Gate? = nil, env: Variables = []) {
        self.name = name
        self.gate = gate
        self.env = env
    }
}

/// One job as written in `slipway.yml`.
public struct Job: Sendable {
    /// The job's name, its key under `jobs`.
    public var name: String
    /// The shell script, run by `bash -euo pipefail`.
    public var run: String
    /// The events the job takes part in.
    public var on: [Event]
    /// Gitignore-style patterns; empty means "always selected when the event matches".
    public var paths: [String]
    /// `when: with-needs`: never selected by a change of its own, only when a mutating job it needs
    /// runs (cascade) or a job that needs it runs (pull-in).
    public var onlyWithNeeds: Bool = false
    /// Jobs that must finish first.
    public var needs: [String]
    /// Whether the job changes live infrastructure.
    public var mutates: Bool
    /// The environment the job deploys to, if any.
    public var environment: EnvironmentBinding?
    /// A gate before this job.
    public var gate: Gate?
    /// Secrets the job receives; no other job sees them.
    public var secrets: [String]
    /// Clouds the job gets short-lived credentials for through OIDC.
    public var oidc: [OIDCProvider] = []
    /// Files the job produces for the jobs that need it.
    public var produces: [String]
    /// How long the job may run, in seconds.
    public var timeout: Int?
    /// How often a failed non-mutating job is retried.
    public var retry: Int
    /// Variables for this job.
    public var env: Variables
    /// The directory the script runs in, relative to the repository root.
    public var workdir: String?
    /// The container image CI runs the job in.
    public var image: String?
    /// A human description, shown in plans and generated configs.
    public var description: String?

    /// Creates a job; everything but the name and script takes the spec's defaults.
    public init(
        name: String, run: String, on: [Event] = Event.defaults, paths: [String] = [],
        needs: [String] = [], mutates: Bool = false, environment: EnvironmentBinding? = nil,
        gate: Gate? = nil, secrets: [String] = [], produces: [String] = [], timeout: Int? = nil,
        retry: Int = 0, env: Variables = [], workdir: String? = nil, image: String? = nil,
        description: String? = nil
    ) {
        self.name = name
        self.run = run
        self.on = on
        self.paths = paths
        self.needs = needs
        self.mutates = mutates
        self.environment = environment
        self.gate = gate
        self.secrets = secrets
        self.produces = produces
        self.timeout = timeout
        self.retry = retry
        self.env = env
        self.workdir = workdir
        self.image = image
        self.description = description
    }

    /// Whether the job is instantiated once per environment.
    public var isPerEnvironment: Bool { environment == .each }
}

/// The whole of `slipway.yml`, version 1.
public struct Spec: Sendable {
    /// The spec format version; only 1 exists.
    public var version: Int
    /// The pipeline's name.
    public var name: String?
    /// CI platforms to generate configuration for.
    public var platforms: [Platform]
    /// The branch pushes deploy from.
    public var defaultBranch: String
    /// The canonical repository, whose pipelines alone run mutating jobs.
    ///
    /// `owner/name`, or `group/subgroup/project` on GitLab; a fork's pipelines never deploy. Nil:
    /// any repository's may.
    public var repository: String?
    /// Cron expressions (UTC) that start `schedule` runs on CI.
    public var schedule: [String]
    /// Variables every job receives.
    public var env: Variables
    /// Names of the secrets jobs may ask for.
    public var secrets: [String]
    /// Pinned tools, in the order `tools` lists them (`terraform: 1.11.4`).
    public var tools: [ToolPin]
    /// How jobs that ask for OIDC credentials get them.
    public var oidc = OIDCConfiguration()
    /// Deployment targets, in promotion order.
    public var environments: [Environment]
    /// Jobs, in the order the spec lists them.
    public var jobs: [Job]
    /// Where each key and list item sits in the file, for diagnostics.
    public var sourceMap: SourceMap

    /// Creates a spec.
    public init(
        version: Int = 1, name: String? = nil, platforms: [Platform] = [], defaultBranch: String = "main",
        schedule: [String] = [], env: Variables = [], secrets: [String] = [], tools: [ToolPin] = [],
        environments: [Environment] = [],
        jobs: [Job] = [], sourceMap: SourceMap = SourceMap(file: "slipway.yml")
    ) {
        self.version = version
        self.name = name
        self.platforms = platforms
        self.defaultBranch = defaultBranch
        self.schedule = schedule
        self.env = env
        self.secrets = secrets
        self.tools = tools
        self.environments = environments
        self.jobs = jobs
        self.sourceMap = sourceMap
    }

    /// The job with this name.
    public func job(named name: String) -> Job? { jobs.first { $0.name == name } }
}
