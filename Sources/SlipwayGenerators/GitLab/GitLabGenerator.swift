import SlipwayCore

/// Writes `.gitlab-ci.yml` from a pipeline, selecting jobs with GitLab's native `rules:changes`.
///
/// Each job gets one rule per event it takes part in. The rule's `changes` lists the globs of every
/// job whose direct selection selects it (`Pipeline.selectionTriggers`), translated into GitLab's
/// `fnmatch` dialect (`FnmatchGlob`); merge-request rules compare with the default branch through
/// `compare_to`, which GitLab evaluates as `merge-base..head`, exactly `slipway plan`'s pull-request
/// change set. A job whose selection depends on a negated pattern cannot be expressed this way and
/// is refused with a diagnostic. Jobs that are not selected are not in the pipeline at all, so
/// `needs` are `optional`, and GitLab's own rules (a job runs when what it needs succeeded) give
/// the failure semantics.
public struct GitLabGenerator: Sendable {
    /// The file's path in the repository.
    public static let path = ".gitlab-ci.yml"
    /// Top-level keys GitLab reads as settings, not jobs.
    static let reservedNames: Set<String> = [
        "image", "services", "stages", "types", "before_script", "after_script", "variables", "cache", "include",
        "default", "workflow", "pages",
    ]

    /// Creates the generator.
    public init() {}

    /// The configuration for `pipeline`, or the reasons it cannot be generated exactly.
    public func generate(_ pipeline: Pipeline) throws(GeneratorFailure) -> [GeneratedFile] {
        var problems: [Diagnostic] = []
        for instance in pipeline.instances where Self.reservedNames.contains(instance.slug) {
            problems.append(
                Diagnostic(
                    .jobNameIsPlatformKeyword(platform: .gitlab, job: instance.name, name: instance.slug),
                    at: pipeline.location(ofJob: instance.name)))
        }
        var reported: Set<String> = []
        for event in [Event.pullRequest, .push] {
            let triggers = pipeline.selectionTriggers(for: event)
            for instance in pipeline.instances {
                for trigger in (triggers[instance.id] ?? []).compactMap(pipeline.instance) {
                    guard let index = trigger.patterns.patterns.firstIndex(where: \.isNegated),
                        reported.insert(instance.name).inserted
                    else { continue }
                    problems.append(
                        Diagnostic(
                            .negatedPatternNotExpressible(
                                platform: .gitlab, job: instance.name,
                                pattern: trigger.patterns.patterns[index].source,
                                through: trigger.name == instance.name ? nil : trigger.name),
                            at: pipeline.location(ofPattern: index, job: trigger.name)))
                }
            }
        }
        if !problems.isEmpty { throw GeneratorFailure(diagnostics: problems) }
        let writer = GitLabWriter(pipeline: pipeline)
        return [GeneratedFile(path: Self.path, contents: writer.file())]
    }
}

private struct GitLabWriter {
    let pipeline: Pipeline
    /// Each event's trigger lists, computed once.
    let triggers: [Event: [String: [String]]]
    let yaml = YAMLWriter()

    init(pipeline: Pipeline) {
        self.pipeline = pipeline
        self.triggers = Dictionary(
            uniqueKeysWithValues: Event.allCases.map { ($0, pipeline.selectionTriggers(for: $0)) })
    }

    var spec: Spec { pipeline.spec }

    /// The `if:` that recognises each event's pipelines.
    static func condition(_ event: Event) -> String {
        switch event {
        case .pullRequest: return "$CI_PIPELINE_SOURCE == \"merge_request_event\""
        case .push: return "$CI_PIPELINE_SOURCE == \"push\""
        case .manual: return "$CI_PIPELINE_SOURCE == \"web\""
        case .schedule: return "$CI_PIPELINE_SOURCE == \"schedule\""
        }
    }

    /// The variable GitLab puts the OIDC token for `provider` in.
    static func tokenVariable(_ provider: OIDCProvider) -> String {
        "SLIPWAY_OIDC_\(provider.rawValue.uppercased())"
    }

    /// A YAML single-quoted scalar, which keeps GitLab expressions' double quotes readable.
    static func singleQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// The dotenv variable that carries an instance's checksum manifest digest to its consumers.
    func digestVariable(_ instance: JobInstance) -> String {
        JobScripts.digestVariable(instance, in: pipeline)
    }

    func file() -> String {
        header()
        let events = Set(pipeline.instances.flatMap(\.events))
        yaml.comment("Merge requests into \(spec.defaultBranch), pushes to it, and the events the jobs listen to.")
        yaml.nest("workflow") {
            yaml.nest("rules") {
                let branch = spec.defaultBranch
                if events.contains(.pullRequest) {
                    yaml.item {
                        yaml.entry(
                            "if",
                            Self.singleQuoted(
                                "\(Self.condition(.pullRequest)) && $CI_MERGE_REQUEST_TARGET_BRANCH_NAME == \"\(branch)\""
                            ))
                    }
                }
                if events.contains(.push) {
                    yaml.item {
                        yaml.entry(
                            "if", Self.singleQuoted("\(Self.condition(.push)) && $CI_COMMIT_BRANCH == \"\(branch)\""))
                        // A cancelled plan of an older push would never be applied: pipelines of
                        // the default branch always run to the end.
                        yaml.nest("auto_cancel") { yaml.entry("on_new_commit", "none") }
                    }
                }
                if events.contains(.manual) {
                    yaml.item { yaml.entry("if", Self.singleQuoted(Self.condition(.manual))) }
                }
                if events.contains(.schedule) {
                    yaml.item { yaml.entry("if", Self.singleQuoted(Self.condition(.schedule))) }
                }
            }
            yaml.comment(
                "A newer commit to a merge request cancels interruptible (non-mutating) jobs of its older pipeline.")
            yaml.nest("auto_cancel") { yaml.entry("on_new_commit", "interruptible") }
        }
        yaml.blank()
        yaml.entry("stages", "[slipway]")
        let runsTools = pipeline.instances.contains { !$0.tools.isEmpty }
        if !spec.env.isEmpty || runsTools {
            yaml.blank()
            yaml.nest("variables") {
                for (name, value) in spec.env { yaml.entry(name, quoted: value) }
                if runsTools {
                    yaml.comment("Installs and checks pinned tools; every job that runs one evaluates it.")
                    yaml.nest(ToolScripts.functionsVariable) {
                        yaml.literal("value", ToolScripts.functions)
                        yaml.entry("expand", "false")
                    }
                }
            }
        }
        for id in pipeline.executionOrder {
            guard let instance = pipeline.instance(id) else { continue }
            yaml.blank()
            job(instance)
        }
        return yaml.text
    }

    func header() {
        var lines = GeneratedHeader.lines(.gitlab)
        if !spec.secrets.isEmpty {
            lines.append(
                "CI/CD variables to set (Settings > CI/CD > Variables; masked, protected, scoped to their environments): "
                    + spec.secrets.joined(separator: ", "))
            lines.append("Jobs that do not list a secret unset it before their script runs.")
        }
        var environments: [String] = []
        for instance in pipeline.instances where instance.mutates || instance.gate != nil {
            if let environment = instance.environment, !environments.contains(environment) {
                environments.append(environment)
            }
        }
        if !environments.isEmpty {
            lines.append("Environments used: \(environments.joined(separator: ", ")); protect them as needed.")
        }
        if !spec.schedule.isEmpty {
            lines.append(
                "Schedules are set in GitLab (Build > Pipeline schedules): \(spec.schedule.joined(separator: "; ")) (UTC)."
            )
        }
        lines.append(
            "Jobs run their scripts with bash: images must provide bash, git, tar and sha256sum, and where a job installs pinned tools, curl and unzip (or python3)."
        )
        if pipeline.instances.contains(where: { $0.events.contains(.push) }) {
            lines.append(
                "Not converging yet: a push runs what its own changes select, so a failed or cancelled deploy waits for a push that touches it (docs/planning.md)."
            )
        }
        yaml.comment(lines.joined(separator: "\n"))
        yaml.blank()
    }

    func job(_ instance: JobInstance) {
        let gated = instance.gate != nil
        yaml.nest(instance.slug) {
            yaml.entry("stage", "slipway")
            if let image = instance.image { yaml.entry("image", string: image) }
            if let environment = instance.environment, instance.mutates || gated {
                yaml.nest("environment") { yaml.entry("name", string: environment) }
            }
            if instance.mutates, let environment = instance.environment {
                yaml.comment("One change to '\(environment)' at a time; later pipelines wait their turn.")
                yaml.entry("resource_group", string: "slipway-\(environment)")
            }
            yaml.entry("interruptible", instance.mutates ? "false" : "true")
            yaml.entry("timeout", "\(instance.timeoutMinutes) minutes")
            // What it receives files from is in `needs` too: GitLab hands artifacts only to the jobs
            // that list their producer there.
            var upstream = instance.waitsFor
            upstream += instance.receivesFrom.filter { !upstream.contains($0) }
            if upstream.isEmpty {
                yaml.entry("needs", "[]")
            } else {
                yaml.comment("Optional: a job that is not selected is not in the pipeline.")
                yaml.nest("needs") {
                    for need in upstream {
                        yaml.item {
                            yaml.entry("job", JobInstance.slug(for: need))
                            yaml.entry("optional", "true")
                            yaml.entry("artifacts", instance.receivesFrom.contains(need) ? "true" : "false")
                        }
                    }
                }
            }
            rules(instance, gated: gated)
            if !instance.oidc.isEmpty {
                yaml.comment("Short-lived cloud credentials from GitLab's OIDC token; no stored keys.")
                yaml.nest("id_tokens") {
                    for provider in instance.oidc {
                        yaml.nest(Self.tokenVariable(provider)) {
                            yaml.entry("aud", quoted: JobScripts.audience(provider, spec.oidc))
                        }
                    }
                }
            }
            if instance.installsTools {
                yaml.comment("The verified archives of the pinned tools it installs, kept between pipelines.")
                yaml.nest("cache") {
                    yaml.item {
                        yaml.entry("key", ToolCacheLayout.cacheKey(for: instance.tools))
                        yaml.nest("paths") { yaml.item("\(ToolCacheLayout.root)/\(ToolCacheLayout.downloads)/") }
                    }
                }
            }
            variables(instance)
            yaml.nest("script") { yaml.item("bash --noprofile --norc -euo pipefail -c \"$SLIPWAY_WRAPPER\"") }
            artifacts(instance)
        }
    }

    func rules(_ instance: JobInstance, gated: Bool) {
        yaml.nest("rules") {
            let events = Event.allCases.filter { triggers[$0]?[instance.id]?.isEmpty == false }
            if events.isEmpty {
                // No event selects it (a `when: with-needs` job that nothing cascades to or pulls
                // in): GitLab wants a list, and this one keeps the job out of every pipeline.
                yaml.item { yaml.entry("when", "never") }
            }
            for event in events {
                guard let triggers = triggers[event]?[instance.id] else { continue }
                let triggerInstances = triggers.compactMap(pipeline.instance)
                yaml.item {
                    var condition = Self.condition(event)
                    if instance.mutates {
                        // Web and scheduled pipelines run on any branch, and forks run pipelines
                        // too: a mutating job runs on the default branch of the canonical project.
                        condition += " && $CI_COMMIT_BRANCH == \"\(spec.defaultBranch)\""
                        if let repository = spec.repository { condition += " && $CI_PROJECT_PATH == \"\(repository)\"" }
                    }
                    yaml.entry("if", Self.singleQuoted(condition))
                    if [.pullRequest, .push].contains(event),
                        !triggerInstances.contains(where: { $0.patterns.patterns.isEmpty })
                    {
                        var globs: [String] = []
                        for trigger in triggerInstances {
                            for pattern in trigger.patterns.patterns {
                                for glob in FnmatchGlob.globs(for: pattern) where !globs.contains(glob) {
                                    globs.append(glob)
                                }
                            }
                        }
                        yaml.nest("changes") {
                            yaml.nest("paths") {
                                for glob in globs { yaml.item(YAMLWriter.quoted(glob)) }
                            }
                            if event == .pullRequest {
                                // compare_to makes GitLab diff merge-base(default branch, head)..head.
                                yaml.entry("compare_to", quoted: "refs/heads/\(spec.defaultBranch)")
                            }
                        }
                    }
                    if gated {
                        yaml.entry("when", "manual")
                        yaml.comment("Blocking: what needs this job waits for the approval.")
                        yaml.entry("allow_failure", "false")
                    }
                }
            }
        }
    }

    func variables(_ instance: JobInstance) {
        yaml.nest("variables") {
            yaml.entry("SLIPWAY_JOB", quoted: instance.id)
            if let environment = instance.environment {
                yaml.entry("SLIPWAY_ENVIRONMENT", quoted: environment)
            }
            // The spec's own variables are the file's `variables`; the job's level adds the rest.
            for variable in instance.variables where variable.origin != .spec {
                yaml.entry(variable.name, quoted: variable.value)
            }
            yaml.entry("SLIPWAY_FINGERPRINT", quoted: instance.fingerprint)
            // Scripts are passed raw: GitLab would otherwise expand $VARIABLES inside them itself.
            yaml.nest("SLIPWAY_SCRIPT") {
                yaml.literal("value", instance.script)
                yaml.entry("expand", "false")
            }
            yaml.nest("SLIPWAY_WRAPPER") {
                yaml.literal("value", wrapper(instance))
                yaml.entry("expand", "false")
            }
        }
    }

    /// The bash script around the job's own: environment, least-privilege secrets, artifact
    /// checks, tool checks, retries, checksums.
    func wrapper(_ instance: JobInstance) -> String {
        var script = """
            case "${CI_PIPELINE_SOURCE:-}" in
            merge_request_event) SLIPWAY_EVENT=pull_request ;;
            web) SLIPWAY_EVENT=manual ;;
            schedule) SLIPWAY_EVENT=schedule ;;
            *) SLIPWAY_EVENT=push ;;
            esac
            export SLIPWAY_EVENT
            export SLIPWAY_RUN_ID="${CI_PIPELINE_ID:-}"
            mkdir -p .slipway/summary
            export SLIPWAY_SUMMARY="$PWD/.slipway/summary/\(instance.slug).md"

            """
        script += JobScripts.preparation(
            instance, in: pipeline, loadToolFunctions: ToolScripts.evaluateFunctions)
        for provider in instance.oidc {
            script += JobScripts.oidcSetup(provider, spec.oidc, tokenVariable: Self.tokenVariable(provider))
        }
        script += JobScripts.runScript(instance)
        if !instance.produces.isEmpty {
            script += JobScripts.recordChecksums(
                instance, digestVariable: digestVariable(instance),
                digestFile: ".slipway/artifacts/\(instance.slug).env")
        }
        return script
    }

    func artifacts(_ instance: JobInstance) {
        yaml.nest("artifacts") {
            yaml.nest("paths") {
                for path in instance.produces { yaml.item(YAMLWriter.quoted(path)) }
                if !instance.produces.isEmpty { yaml.item(YAMLWriter.quoted(JobScripts.manifestPath(instance))) }
                yaml.item(YAMLWriter.quoted(".slipway/summary/\(instance.slug).md"))
            }
            if instance.produces.isEmpty {
                // Only a summary: keep it even when the job failed.
                yaml.entry("when", "always")
            } else {
                yaml.nest("reports") { yaml.entry("dotenv", quoted: ".slipway/artifacts/\(instance.slug).env") }
            }
            // As long as GitHub lets a gate wait; an expired record stops the consumer, loudly.
            yaml.entry("expire_in", "30 days")
        }
    }
}
