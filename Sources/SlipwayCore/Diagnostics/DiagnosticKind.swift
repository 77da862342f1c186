/// Every problem Slipway reports about a spec, as a typed value with labelled associated values.
///
/// Tests compare these values; the CLI prints `message` and `notes`. Messages say what is wrong and
/// where in the spec's own terms; notes say what to do about it.
public enum DiagnosticKind: Hashable, Sendable {
    // MARK: Reading and YAML
    /// The spec file could not be read.
    case unreadableFile(path: String, reason: String)
    /// The file is empty or holds only comments.
    case emptyFile
    /// libyaml rejected the text.
    case yamlSyntax(problem: String)
    /// A `*name` alias that is not a valid alias or has no anchor; almost always an unquoted glob such as `*.tf`.
    case undefinedAlias(name: String)
    /// A key appears twice in one mapping.
    case duplicateKey(key: String, firstDefinition: SourceLocation)
    /// A key the mapping does not know.
    case unknownKey(key: String, context: String, suggestion: String?, known: [String])
    /// A value of the wrong YAML type (`context` names the key, e.g. `jobs.plan.needs`).
    case wrongType(context: String, expected: String, found: String)
    /// A value of the right type that is not allowed.
    case invalidValue(context: String, value: String, expected: String)
    /// A required key is absent.
    case missingKey(key: String, context: String)

    // MARK: Top level
    /// `version` is not 1.
    case unsupportedVersion(found: String)
    /// A `platforms` entry that is not github, gitlab or bitbucket.
    case unknownPlatform(platform: String, suggestion: String?)
    /// The same value twice in a list where each must be unique.
    case duplicateEntry(value: String, context: String)
    /// A name (job, environment, variable) that does not follow the naming rule.
    case invalidName(name: String, kind: String, rule: String)

    // MARK: Jobs
    /// A job has no `run` script, or an empty one.
    case missingRun(job: String)
    /// `when: with-needs` on a job that also has `paths`, which would never apply.
    case onlyWithNeedsHasPaths(job: String)
    /// `when: with-needs` on a job that needs nothing, so nothing could ever select it.
    case onlyWithNeedsWithoutNeeds(job: String)
    /// `on` names an event Slipway does not know.
    case unknownEvent(job: String, event: String, suggestion: String?)
    /// `needs` names a job that does not exist.
    case unknownNeed(job: String, need: String, suggestion: String?)
    /// A job needs itself.
    case needsItself(job: String)
    /// The `needs` graph has a cycle; `cycle` starts and ends with the same job.
    case dependencyCycle(cycle: [String])
    /// `environment` names an environment the spec does not declare.
    case unknownEnvironment(job: String, environment: String, known: [String])
    /// `environment: each` but the spec declares no environments.
    case eachWithoutEnvironments(job: String)
    /// A mutating job lists `pull_request` in `on`.
    case mutatingOnPullRequest(job: String)
    /// A `paths` pattern that is not a valid glob.
    case invalidGlob(job: String, pattern: String, reason: String)
    /// `{environment}` in a pattern or a produced path of a job that has no environment.
    case environmentPlaceholderOutsideEach(job: String, pattern: String)
    /// A job asks for OIDC credentials from a cloud the top-level `oidc` does not configure.
    case oidcNotConfigured(job: String, provider: String)
    /// A job lists a secret the spec does not declare.
    case undeclaredSecret(job: String, secret: String, suggestion: String?)
    /// Two instances (or a job and an instance) end up with the same id or CI job name.
    case instanceIdCollision(id: String, first: String, second: String)
    /// A duration such as `30m` that does not parse.
    case invalidDuration(context: String, value: String)
    /// `gate` is not `manual`.
    case unknownGate(context: String, value: String)

    // MARK: Generators (a platform cannot express something exactly, and refuses rather than approximate)
    /// A job's id is the one Slipway gives its change-detection job in the generated file.
    case jobNameReservedForDetection(platform: Platform, job: String, name: String)
    /// A job's id is a keyword of the platform's configuration file.
    case jobNameIsPlatformKeyword(platform: Platform, job: String, name: String)
    /// `run` holds an expression the platform expands into the script text before the shell sees it.
    case expressionInScript(platform: Platform, job: String, expression: String)
    /// A variable holds an expression the platform would expand; `job` is `nil` for a top-level `env`.
    case expressionInVariable(platform: Platform, job: String?, variable: String, expression: String)
    /// A line of `run` is one Slipway uses to embed scripts in the generated file.
    case scriptHasEmbeddingDelimiter(platform: Platform, job: String, line: String)
    /// The platform refuses a secret by this name (GitHub: any name starting with `GITHUB_`).
    case secretNameReserved(platform: Platform, secret: String, prefix: String, suggestion: String)
    /// Two secrets whose names the platform compares without case, so they are one secret there.
    case secretNamesCollide(platform: Platform, secret: String, other: String)
    /// An event's pipeline would have more steps than the platform allows.
    case tooManySteps(platform: Platform, event: Event, steps: Int, limit: Int)
    /// A job would need more jobs than the platform lets one job need.
    case tooManyNeeds(platform: Platform, job: String, needs: Int, limit: Int)
    /// A job's `timeout` is longer than the platform lets a job (or step) run.
    case timeoutAbovePlatformLimit(platform: Platform, job: String, minutes: Int, limit: Int)
    /// A job's `run` is longer than the platform reads in one string.
    case scriptTooLong(platform: Platform, job: String, characters: Int, limit: Int)
    /// The generated file is larger than the platform reads.
    case generatedFileTooLarge(platform: Platform, path: String, bytes: Int, limit: Int, jobs: Int)

    // MARK: Warnings
    /// A job without `paths` runs on every event it listens to.
    case runsOnEveryChange(job: String, events: [String])
    /// A secret is declared but no job lists it.
    case unusedSecret(secret: String)
    /// A mutating job has no environment, so nothing serialises it against other runs.
    case mutatingWithoutEnvironment(job: String)
    /// `retry` on a mutating job: Slipway never retries a change to live infrastructure.
    case retryOnMutatingJob(job: String)
    /// A job needs a job that does not take part in one of its events.
    case needsJobNotOnEvent(job: String, need: String, event: String)
    /// A job uses files a mutating job produces, but can be selected without it: a mutating job is
    /// never pulled in, so the job would run without those files.
    case filesFromMutatingProducer(job: String, producer: String, files: [String])
    /// `gate` on an environment only affects mutating jobs; none deploys there.
    case gateWithoutMutatingJobs(environment: String)
    /// A job listens to `schedule`, but the spec has no `schedule` for CI to start it.
    case scheduleWithoutCron(job: String)
    /// A tool under `tools` that the catalog does not know, declared without `url`.
    case unknownTool(tool: String, suggestion: String?)
    /// A digest for a platform the catalog's tool is not published for.
    case toolNotPublished(tool: String, platform: String, published: [String])
    /// CI must install a tool for these jobs, but `slipway.yml` pins no digest to verify it by.
    case toolWithoutDigests(tool: String, jobs: [String], platform: String?)

    /// Whether this kind is an error or a warning.
    public var severity: Severity {
        switch self {
        case .runsOnEveryChange, .unusedSecret, .mutatingWithoutEnvironment, .retryOnMutatingJob,
            .needsJobNotOnEvent, .gateWithoutMutatingJobs, .scheduleWithoutCron, .filesFromMutatingProducer,
            .toolWithoutDigests:
            return .warning
        default:
            return .error
        }
    }

    /// The one-line message: what is wrong, in the spec's terms.
    public var message: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .emptyFile:
            return "the spec is empty"
        case .yamlSyntax(let problem):
            return "YAML syntax error: \(problem)"
        case .undefinedAlias(let name):
            return "'*\(name)' is read as a YAML alias, not as a string"
        case .duplicateKey(let key, _):
            return "duplicate key '\(key)'"
        case .unknownKey(let key, let context, _, _):
            return "unknown key '\(key)' in \(context)"
        case .wrongType(let context, let expected, let found):
            return "\(context) must be \(expected), found \(found)"
        case .invalidValue(let context, let value, let expected):
            return "\(context) must be \(expected), found '\(value)'"
        case .missingKey(let key, let context):
            return "\(context) is missing the required key '\(key)'"
        case .unsupportedVersion(let found):
            return "unsupported spec version '\(found)'"
        case .unknownPlatform(let platform, _):
            return "unknown platform '\(platform)'"
        case .duplicateEntry(let value, let context):
            return "'\(value)' appears more than once in \(context)"
        case .invalidName(let name, let kind, _):
            return "'\(name)' is not a valid \(kind) name"
        case .missingRun(let job):
            return "job '\(job)' has no 'run' script"
        case .onlyWithNeedsHasPaths(let job):
            return "job '\(job)' says 'when: with-needs' and has 'paths', which would never apply"
        case .onlyWithNeedsWithoutNeeds(let job):
            return "job '\(job)' says 'when: with-needs' but needs no job, so no change would ever run it"
        case .unknownEvent(let job, let event, _):
            return "job '\(job)' listens to unknown event '\(event)'"
        case .unknownNeed(let job, let need, _):
            return "job '\(job)' needs unknown job '\(need)'"
        case .needsItself(let job):
            return "job '\(job)' needs itself"
        case .dependencyCycle(let cycle):
            return "dependency cycle: \(cycle.joined(separator: " → "))"
        case .unknownEnvironment(let job, let environment, _):
            return "job '\(job)' deploys to unknown environment '\(environment)'"
        case .eachWithoutEnvironments(let job):
            return "job '\(job)' has 'environment: each' but the spec declares no environments"
        case .mutatingOnPullRequest(let job):
            return "mutating job '\(job)' lists 'pull_request' in 'on'"
        case .invalidGlob(let job, let pattern, let reason):
            return "job '\(job)' has an invalid pattern '\(pattern)': \(reason)"
        case .environmentPlaceholderOutsideEach(let job, let pattern):
            return "job '\(job)' uses '{environment}' in '\(pattern)' but has no environment"
        case .oidcNotConfigured(let job, let provider):
            return "job '\(job)' asks for \(provider) OIDC credentials, but 'oidc' does not configure \(provider)"
        case .undeclaredSecret(let job, let secret, _):
            return "job '\(job)' uses secret '\(secret)', which the spec does not declare"
        case .instanceIdCollision(let id, let first, let second):
            return "'\(first)' and '\(second)' both become the job id '\(id)'"
        case .invalidDuration(let context, let value):
            return "\(context) is not a duration: '\(value)'"
        case .unknownGate(let context, let value):
            return "\(context) has unknown gate '\(value)'"
        case .runsOnEveryChange(let job, let events):
            return "job '\(job)' has no 'paths', so it runs on every \(events.joined(separator: " and "))"
        case .unusedSecret(let secret):
            return "secret '\(secret)' is declared but no job uses it"
        case .mutatingWithoutEnvironment(let job):
            return "mutating job '\(job)' has no environment, so nothing stops two runs applying at once"
        case .retryOnMutatingJob(let job):
            return "job '\(job)' mutates infrastructure; its 'retry' is ignored"
        case .needsJobNotOnEvent(let job, let need, let event):
            return "job '\(job)' runs on \(event) but the job it needs, '\(need)', does not"
        case .filesFromMutatingProducer(let job, let producer, let files):
            return
                "job '\(job)' uses what '\(producer)' produces (\(files.joined(separator: ", "))), but a change that selects '\(job)' alone does not run '\(producer)', so '\(job)' would run without those files"
        case .gateWithoutMutatingJobs(let environment):
            return "environment '\(environment)' has a gate, but no mutating job deploys to it"
        case .scheduleWithoutCron(let job):
            return "job '\(job)' listens to schedule, but the spec has no 'schedule', so CI never starts it"
        case .unknownTool(let tool, _):
            return "Slipway does not know where the releases of '\(tool)' live"
        case .toolNotPublished(let tool, let platform, _):
            return "'\(tool)' has no official release for \(platform)"
        case .toolWithoutDigests(let tool, let jobs, let platform):
            let who = jobs.count == 1 ? "'\(jobs[0])'" : "'\(jobs[0])' and \(jobs.count - 1) more"
            guard let platform else {
                return
                    "tool '\(tool)' has no SHA-256 pinned, so CI cannot install it for \(who): those jobs would fail at their start"
            }
            return
                "tool '\(tool)' has no SHA-256 pinned for \(platform), the platform of every hosted runner, so CI cannot install it for \(who): those jobs would fail at their start there"
        case .jobNameReservedForDetection(let platform, let job, let name):
            return
                "\(platform): job '\(job)': the job id '\(name)' is reserved for Slipway's own jobs (change detection and marks)"
        case .jobNameIsPlatformKeyword(let platform, let job, let name):
            return "\(platform): job '\(job)': '\(name)' is a \(platform.displayName) keyword, not a job name"
        case .expressionInScript(let platform, let job, let expression):
            return
                "\(platform): job '\(job)': 'run' contains '\(expression)', which \(platform.displayName) would expand into the script before it runs (script injection)"
        case .expressionInVariable(let platform, let job, let variable, let expression):
            let what =
                "env '\(variable)' contains '\(expression)', which \(platform.displayName) would expand"
            return job.map { "\(platform): job '\($0)': \(what)" } ?? "\(platform): \(what)"
        case .scriptHasEmbeddingDelimiter(let platform, let job, _):
            return "\(platform): job '\(job)': 'run' contains a line Slipway uses to embed scripts"
        case .secretNameReserved(let platform, let secret, let prefix, _):
            return
                "\(platform): \(platform.displayName) does not allow a secret named '\(secret)': names starting with \(prefix) are reserved"
        case .secretNamesCollide(let platform, let secret, let other):
            return
                "\(platform): secrets '\(secret)' and '\(other)' are one secret on \(platform.displayName), which ignores the case of secret names"
        case .tooManySteps(let platform, let event, let steps, let limit):
            return
                "\(platform): the \(event.rawValue) pipeline would have \(steps) steps; \(platform.displayName) allows \(limit)"
        case .tooManyNeeds(let platform, let job, let needs, let limit):
            if platform == .github {
                return
                    "\(platform): job '\(job)' waits for \(needs) jobs, but \(platform.displayName) reads an 'if' that tests at most \(limit) of them"
            }
            return
                "\(platform): job '\(job)' would need \(needs) jobs; \(platform.displayName) lets one job need \(limit)"
        case .timeoutAbovePlatformLimit(let platform, let job, let minutes, let limit):
            return
                "\(platform): job '\(job)' may run \(minutes) minutes, but \(platform.displayName) stops a job after \(limit) minutes"
        case .scriptTooLong(let platform, let job, let characters, let limit):
            return
                "\(platform): the script of job '\(job)' is \(characters) characters; \(platform.displayName) refuses the whole file when one string is over 21,000, and \(limit) is what fits with the lines its step adds"
        case .generatedFileTooLarge(let platform, let path, let bytes, let limit, let jobs):
            return
                "\(platform): \(path) would be \(bytes) bytes for \(jobs) job instances; \(platform.displayName) runs nothing from a file over \(limit) bytes"
        }
    }

    /// Follow-up lines: suggestions, the valid choices, what to do.
    public var notes: [Note] {
        switch self {
        case .unreadableFile:
            return [Note("pass the spec with --spec FILE; by default it is slipway.yml in the current directory")]
        case .emptyFile:
            return [Note("a spec starts with 'version: 1' and a 'jobs' mapping; see docs/spec.md")]
        case .undefinedAlias:
            return [Note("quote glob patterns that start with '*', for example \"**/*.tf\"")]
        case .duplicateKey(_, let first):
            return [Note("first defined here", at: first)]
        case .unknownKey(_, _, let suggestion?, _):
            return [Note("did you mean '\(suggestion)'?")]
        case .unknownKey(_, _, nil, let known):
            return [Note("known keys: \(known.joined(separator: ", "))")]
        case .unsupportedVersion:
            return [Note("this Slipway reads 'version: 1'")]
        case .unknownPlatform(_, let suggestion):
            return [
                suggestion.map { Note("did you mean '\($0)'?") } ?? Note("platforms are github, gitlab and bitbucket")
            ]
        case .invalidName(_, _, let rule):
            return [Note(rule)]
        case .missingRun:
            return [Note("add a shell script under 'run:'; it runs with bash -euo pipefail")]
        case .onlyWithNeedsHasPaths:
            return [
                Note(
                    "a 'when: with-needs' job runs only with the jobs it needs; remove 'paths', or remove 'when' to select it by its paths too"
                )
            ]
        case .onlyWithNeedsWithoutNeeds:
            return [Note("list the jobs it runs with under 'needs', or remove 'when'")]
        case .unknownEvent(_, _, let suggestion):
            let known = Note("events are pull_request, push, manual and schedule")
            return suggestion.map { [Note("did you mean '\($0)'?")] } ?? [known]
        case .unknownNeed(_, _, let suggestion?):
            return [Note("did you mean '\(suggestion)'?")]
        case .dependencyCycle:
            return [Note("remove one of these 'needs' to break the cycle")]
        case .unknownEnvironment(_, _, let known):
            let choices = known.isEmpty ? "none are declared" : "known environments: \(known.joined(separator: ", "))"
            return [Note(choices), Note("declare it under 'environments:' or use 'environment: each'")]
        case .eachWithoutEnvironments:
            return [
                Note("declare environments at the top level, for example 'environments: [{name: dev}, {name: prod}]'")
            ]
        case .mutatingOnPullRequest:
            return [Note("mutating jobs never run for pull requests; remove 'pull_request' from 'on'")]
        case .environmentPlaceholderOutsideEach:
            return [
                Note("add 'environment: each' (or 'environment: NAME'), or write the environment's name instead")
            ]
        case .undeclaredSecret(_, let secret, let suggestion):
            return suggestion.map { [Note("did you mean '\($0)'?")] }
                ?? [Note("add '\(secret)' to the top-level 'secrets' list")]
        case .instanceIdCollision:
            return [Note("rename one of them; CI job ids replace '@' with '-'")]
        case .oidcNotConfigured(_, let provider):
            let keys = provider == "aws" ? "role and region" : "provider and serviceAccount"
            return [Note("add 'oidc: { \(provider): { ... } }' at the top level with its \(keys)")]
        case .invalidDuration:
            return [Note("write hours, minutes and seconds such as '30m', '90s' or '1h30m'")]
        case .unknownGate:
            return [Note("the only gate is 'manual'")]
        case .runsOnEveryChange:
            return [Note("add 'paths' to run it only for relevant changes, or paths: [\"**\"] to say it always runs")]
        case .unusedSecret:
            return [Note("list it under a job's 'secrets', or remove it")]
        case .mutatingWithoutEnvironment:
            return [Note("set 'environment' so the job holds that environment's lock")]
        case .needsJobNotOnEvent:
            return [Note("the job will start without it; add the event to the needed job's 'on'")]
        case .filesFromMutatingProducer(let job, let producer, _):
            return [
                Note(
                    "a mutating job is never pulled in to produce files; a stale copy in the workspace, or a tool's default (kubectl's ~/.kube/config), would be used instead"
                ),
                Note(
                    "let '\(job)' make the files itself (for Terraform outputs, `terraform output -json` in its own script), or give it 'when: with-needs' (instead of 'paths') so it runs only when '\(producer)' does"
                ),
            ]
        case .gateWithoutMutatingJobs:
            return [Note("add 'gate: manual' to the job instead, or give a mutating job this environment")]
        case .jobNameReservedForDetection, .jobNameIsPlatformKeyword:
            return [Note("rename the job")]
        case .expressionInScript:
            return [Note("pass values through 'env' and read them as shell variables")]
        case .expressionInVariable:
            return [Note("write the value literally; secrets go in 'secrets'")]
        case .scriptHasEmbeddingDelimiter(_, _, let line):
            return [Note("remove the line '\(line)' from the script")]
        case .tooManySteps:
            return [Note("split the repository's pipeline, or generate for github or gitlab")]
        case .tooManyNeeds(let platform, _, _, _):
            if platform == .github {
                return [
                    Note(
                        "each job it waits for adds a test to its 'if', and GitHub refuses the whole file when one expression is over 21,000 characters; need fewer jobs (a job in between can gather them), or split the pipeline"
                    )
                ]
            }
            return [
                Note(
                    "it needs what it waits for, the producers of the files it receives, and the approvals of its gated environments; need fewer jobs, or split the pipeline"
                ),
                Note(
                    "GitLab.com refuses the pipeline (\"One job can only need 50 others\"); a self-managed instance may raise the limit"
                ),
            ]
        case .scriptTooLong:
            return [
                Note("move the script into a file in the repository and run that file from 'run'"),
                Note("GitHub would run nothing from the workflow, and say only that it is invalid"),
            ]
        case .generatedFileTooLarge:
            return [
                Note(
                    "nothing was written; split the repository's pipeline into smaller ones, or use fewer per-environment jobs"
                ),
                Note("the platform would fail every run of the file without saying why"),
            ]
        case .timeoutAbovePlatformLimit(let platform, _, _, let limit):
            let hours = limit % 60 == 0 ? "\(limit / 60)h" : "\(limit)m"
            return [
                Note(
                    "lower 'timeout' to \(hours) or less, or split the job; \(platform.displayName) would cancel it there, half way through"
                )
            ]
        case .secretNameReserved(_, let secret, _, let suggestion):
            return [
                Note("rename it, for example to '\(suggestion)', in 'secrets' and in the jobs that list it"),
                Note(
                    "if a tool reads \(secret) itself (flux bootstrap github reads GITHUB_TOKEN), set it for that command in the script: \(secret)=\"$\(suggestion)\" <command>"
                ),
            ]
        case .secretNamesCollide:
            return [Note("rename one of them")]
        case .unknownTool(_, let suggestion):
            let declare = Note(
                "declare where its releases live: 'url: https://…/{version}/…_{os}_{arch}.tar.gz' (see docs/tools.md)")
            let known = Note("Slipway knows \(ToolCatalog.names.joined(separator: ", "))")
            return suggestion.map { [Note("did you mean '\($0)'?"), declare] } ?? [declare, known]
        case .toolNotPublished(_, _, let published):
            return [Note("it is published for \(published.joined(separator: ", ")); remove this digest")]
        case .toolWithoutDigests(let tool, _, _):
            return [
                Note(
                    "run `slipway tools lock \(tool)`: it reads the official checksums into slipway.yml; then commit it"
                ),
                Note("or give those jobs an 'image' that has the tool; CI then checks its version instead"),
            ]
        case .scheduleWithoutCron:
            return [Note("add a cron expression at the top level, for example schedule: \"0 3 * * *\" (UTC)")]
        default:
            return []
        }
    }
}
