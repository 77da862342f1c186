import SlipwayCore

/// Writes GitLab CI configuration from a pipeline: a parent pipeline whose first job decides what
/// runs, and a dynamic child pipeline of exactly those jobs.
///
/// `.gitlab-ci.yml` has two jobs. `slipway-detect` runs `.gitlab/slipway/detect.sh`: the
/// `ChangeDetectionScript` (a merge request's `merge-base..head`; pushes and manual runs converge
/// on the marks, docs/planning.md), then copies the selected jobs of `.gitlab/slipway/jobs.yml`
/// into `.slipway/child-pipeline.yml`. `slipway-jobs` runs that file as a child pipeline
/// (`trigger:include:artifact`, `strategy: mirror`). So no `rules:changes` list is involved:
/// negated patterns, renames and GitLab's 50-pattern limit do not arise. Jobs that are not selected
/// are not in the child at all, so `needs` are `optional`, and GitLab's own rules (a job runs when
/// what it needs succeeded) give the failure semantics. Each job of a converging run records its
/// success as a mark, pushed with the job token.
public struct GitLabGenerator: Sendable {
    /// The parent pipeline's path in the repository.
    public static let path = ".gitlab-ci.yml"
    /// Every job the child pipeline can hold; the detection copies the selected ones.
    public static let jobsPath = ".gitlab/slipway/jobs.yml"
    /// The detection script `slipway-detect` runs.
    public static let detectionPath = ".gitlab/slipway/detect.sh"
    /// Where `slipway-detect` writes the child pipeline (an artifact).
    public static let childPath = ".slipway/child-pipeline.yml"
    /// Where the detection script writes its `slug=true|false` lines.
    public static let selectionPath = ".slipway/selected"
    /// The parent's job that decides what runs.
    public static let detectionJob = "slipway-detect"
    /// The parent's job that runs the child pipeline.
    public static let triggerJob = "slipway-jobs"
    /// The child's only job when nothing is selected: GitLab refuses a pipeline without jobs.
    public static let nothingJob = "slipway-nothing-to-do"
    /// Top-level keys GitLab reads as settings, not jobs.
    static let reservedNames: Set<String> = [
        "image", "services", "stages", "types", "before_script", "after_script", "variables", "cache", "include",
        "default", "workflow", "pages",
    ]

    /// Creates the generator.
    public init() {}

    /// How many jobs one job may need on GitLab.com: "One job can only need 50 others"
    /// (gitlab-org/gitlab#419720; self-managed instances set it, gitlab-org/gitlab!103827).
    static let maximumNeeds = 50

    /// The configuration for `pipeline`, or the reasons it cannot be generated exactly.
    public func generate(_ pipeline: Pipeline) throws(GeneratorFailure) -> [GeneratedFile] {
        var problems: [Diagnostic] = []
        var reported: Set<String> = []
        for instance in pipeline.instances where reported.insert(instance.name).inserted {
            if Self.reservedNames.contains(instance.slug) {
                problems.append(
                    Diagnostic(
                        .jobNameIsPlatformKeyword(platform: .gitlab, job: instance.name, name: instance.slug),
                        at: pipeline.location(ofJob: instance.name)))
            } else if [Self.detectionJob, Self.triggerJob, Self.nothingJob].contains(instance.slug) {
                problems.append(
                    Diagnostic(
                        .jobNameReservedForDetection(platform: .gitlab, job: instance.name, name: instance.slug),
                        at: pipeline.location(ofJob: instance.name)))
            }
        }
        let writer = GitLabWriter(pipeline: pipeline)
        var overNeeds: Set<String> = []
        for instance in pipeline.instances {
            let count = writer.needs(of: instance).count
            if count > Self.maximumNeeds, overNeeds.insert(instance.name).inserted {
                problems.append(
                    Diagnostic(
                        .tooManyNeeds(platform: .gitlab, job: instance.name, needs: count, limit: Self.maximumNeeds),
                        at: pipeline.location(ofJob: instance.name)))
            }
        }
        if !problems.isEmpty { throw GeneratorFailure(diagnostics: problems) }
        return [
            GeneratedFile(path: Self.path, contents: writer.parent()),
            GeneratedFile(path: Self.jobsPath, contents: writer.jobs()),
            GeneratedFile(path: Self.detectionPath, contents: writer.detection()),
        ]
    }
}

private struct GitLabWriter {
    let pipeline: Pipeline

    var spec: Spec { pipeline.spec }

    /// Whether pushes and manual runs converge: some job takes part in them.
    var converges: Bool { ChangeDetectionScript.converges(pipeline) }

    /// Whether `instance`'s job records a mark when it succeeds in a converging run.
    func marks(_ instance: JobInstance) -> Bool {
        ChangeDetectionScript.convergingEvents.contains { pipeline.takesPart(instance, in: $0) }
    }

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

    // MARK: - The parent pipeline

    func parent() -> String {
        let yaml = YAMLWriter()
        yaml.comment(headerLines().joined(separator: "\n"))
        yaml.blank()
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
                        // A cancelled run of an older push leaves its jobs unmarked, so the next
                        // run would redo them; pipelines of the default branch still run to the end.
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
        yaml.entry("stages", "[detect, jobs]")
        if events.contains(.manual) && converges {
            yaml.blank()
            yaml.nest("variables") {
                yaml.nest(ChangeDetectionScript.Input.all) {
                    yaml.entry("value", quoted: "false")
                    yaml.entry("options", "['false', 'true']")
                    yaml.entry("description", string: "true: \(ChangeDetectionScript.Input.allDescription)")
                }
            }
        }
        yaml.blank()
        yaml.nest(GitLabGenerator.detectionJob) {
            yaml.entry("stage", "detect")
            yaml.entry("interruptible", "true")
            yaml.entry("timeout", "10 minutes")
            yaml.nest("variables") {
                yaml.entry("GIT_DEPTH", "\"0\"", comment: "the whole history: marks may be old")
            }
            yaml.nest("script") {
                yaml.item("bash --noprofile --norc \(GitLabGenerator.detectionPath)")
            }
            yaml.nest("artifacts") {
                yaml.nest("paths") {
                    yaml.item(GitLabGenerator.childPath)
                    yaml.item(GitLabGenerator.selectionPath)
                }
                yaml.entry("expire_in", "30 days")
            }
        }
        yaml.blank()
        yaml.nest(GitLabGenerator.triggerJob) {
            yaml.entry("stage", "jobs")
            // A newer commit to a merge request cancels the older child too; the default branch's
            // pipelines are never auto-cancelled (workflow rules above).
            yaml.entry("interruptible", "true")
            yaml.entry("needs", "[\(GitLabGenerator.detectionJob)]")
            yaml.nest("trigger") {
                yaml.nest("include") {
                    yaml.item {
                        yaml.entry("artifact", GitLabGenerator.childPath)
                        yaml.entry("job", GitLabGenerator.detectionJob)
                    }
                }
                yaml.comment("This pipeline's status is the child's, waiting at a gate included (GitLab 18.2).")
                yaml.entry("strategy", "mirror")
                yaml.nest("forward") {
                    yaml.comment("The child carries its own variables (.gitlab/slipway/jobs.yml).")
                    yaml.entry("yaml_variables", "false")
                }
            }
        }
        return yaml.text
    }

    func headerLines() -> [String] {
        var lines = GeneratedHeader.lines(.gitlab)
        lines.append("Needs GitLab 18.2 or later (trigger:strategy mirror).")
        lines.append(
            "The job \(GitLabGenerator.detectionJob) decides which jobs run (\(GitLabGenerator.detectionPath)); \(GitLabGenerator.triggerJob) runs them as a child pipeline from \(GitLabGenerator.jobsPath)."
        )
        if !spec.secrets.isEmpty {
            lines.append(
                "CI/CD variables to set (Settings > CI/CD > Variables; masked, protected, scoped to their environments): "
                    + spec.secrets.joined(separator: ", "))
            lines.append(
                "Jobs that do not list a secret unset it before their script runs, but their processes can still read the job's starting environment"
            )
            lines.append(
                "(/proc/<pid>/environ): scope each variable to the environments that need it. A protected variable reaches merge request pipelines"
            )
            lines.append("only when both branches are protected, so do not protect one a merge request job needs.")
        }
        if pipeline.instances.contains(where: { $0.gate != nil }) {
            lines.append(
                "Gates are blocking manual jobs: anyone who may merge to the branch can start one, unless a protected environment lists who may deploy."
            )
        }
        if !pipeline.approvalPoints.isEmpty {
            lines.append(
                "An environment's gate asks once per run, at a slipway-approve-* job before the first of the run's jobs that change it."
            )
        }
        var environments: [String] = []
        for instance in pipeline.instances where instance.mutates || instance.gate != nil {
            if let environment = instance.environment, !environments.contains(environment) {
                environments.append(environment)
            }
        }
        if !environments.isEmpty {
            lines.append("Environments used: \(environments.joined(separator: ", ")); protect them as needed.")
            lines.append(
                "Deploys to one environment queue in resource group slipway-<environment>; to run them oldest first, set each group's process_mode to oldest_first"
            )
            lines.append(
                "(API: PUT /projects/:id/resource_groups/slipway-<environment> with process_mode=oldest_first); the default, unordered, may run a newer deploy first."
            )
        }
        if !spec.schedule.isEmpty {
            lines.append(
                "Schedules are set in GitLab (Build > Pipeline schedules): \(spec.schedule.joined(separator: "; ")) (UTC)."
            )
        }
        lines.append(
            "Jobs run their scripts with bash: images must provide bash, git, tar and sha256sum, and where a job installs pinned tools, curl and unzip (or python3)."
        )
        if converges {
            lines.append(
                "Pushes and manual runs of \(spec.defaultBranch) run every job that is out of date since it last succeeded there;"
            )
            lines.append(
                "each job records its success as a ref \(MarkRefs.prefix)<job>, pushed with the job token. Enable once: Settings > CI/CD >"
            )
            lines.append(
                "Job token permissions > Allow Git push requests to the repository (GitLab 17.2 or later). Without it, jobs warn and every push runs everything."
            )
        }
        return lines
    }

    // MARK: - The detection script

    func detection() -> String {
        typealias Input = ChangeDetectionScript.Input
        let quoted = ChangeDetectionScript.singleQuoted
        let detection = ChangeDetectionScript(
            pipeline: pipeline, converges: converges,
            deployGuard: .defaultBranch(of: spec, branch: "CI_COMMIT_BRANCH", repository: "CI_PROJECT_PATH"))
        let lines = GeneratedHeader.lines(.gitlab).map { "# " + $0 }
        var script = "#!/usr/bin/env bash\n" + lines.joined(separator: "\n") + "\n"
        script += """
            # Run by the job \(GitLabGenerator.detectionJob) of .gitlab-ci.yml: decides which jobs this pipeline runs and
            # writes them, from \(GitLabGenerator.jobsPath), into the child pipeline \(GitLabGenerator.childPath).
            set -euo pipefail
            case "${CI_PIPELINE_SOURCE:-}" in
            merge_request_event) \(Input.event)=pull_request ;;
            push) \(Input.event)=push ;;
            web) \(Input.event)=manual ;;
            schedule) \(Input.event)=schedule ;;
            *)
              echo "error: this pipeline's source is '${CI_PIPELINE_SOURCE:-}', which no job in slipway.yml listens to" >&2
              exit 1
              ;;
            esac
            export \(Input.event)
            export \(Input.baseSHA)="${CI_MERGE_REQUEST_DIFF_BASE_SHA:-}" \(Input.headSHA)="${CI_COMMIT_SHA:-}"
            # Marks are read through the project's URL, with the job token in it.
            export \(Input.marksRemote)="${\(Input.marksRemote):-${CI_REPOSITORY_URL:-origin}}"
            # GIT_DEPTH 0 does not deepen a working copy the runner reuses.
            if [[ $(git rev-parse --is-shallow-repository) == true ]]; then
              git fetch --quiet --no-tags --unshallow "${CI_REPOSITORY_URL:-origin}"
            fi
            mkdir -p .slipway
            export \(Input.output)=\(GitLabGenerator.selectionPath)
            : >"$\(Input.output)"
            (

            """
        script += detection.text
        script += """
            )

            # The child pipeline: the selected jobs, with this run's event, and whether they record marks.
            marks=false
            if [[ ($\(Input.event) == push || $\(Input.event) == manual) && ${CI_COMMIT_BRANCH:-} == \(quoted(spec.defaultBranch)) ]]; then
              marks=true
            fi
            jobs=" $(sed -n 's/=true$//p' "$\(Input.output)" | tr '\\n' ' ')"
            awk -v jobs="$jobs" -v event="$\(Input.event)" -v marks="$marks" '
              BEGIN { keep = 1 }
              /^[^ #]/ { key = $0; sub(/:.*/, "", key); keep = key == "variables" || key == "stages" || index(jobs, " " key " ") > 0 }
              /^  SLIPWAY_EVENT: / && key == "variables" { print "  SLIPWAY_EVENT: \\"" event "\\""; next }
              /^  SLIPWAY_MARKS: / && key == "variables" { print "  SLIPWAY_MARKS: \\"" marks "\\""; next }
              keep { print }
            ' \(GitLabGenerator.jobsPath) >\(GitLabGenerator.childPath)
            if [[ $jobs == " " ]]; then
              echo "nothing to run: every job is up to date or unaffected"
              cat >>\(GitLabGenerator.childPath) <<'SLIPWAY_EOF'

            # GitLab runs no pipeline without a job.
            \(GitLabGenerator.nothingJob):
              stage: slipway
              script:
                - echo "Nothing to run for this change."
            SLIPWAY_EOF
            fi

            """
        return script
    }

    // MARK: - The child pipeline's jobs

    func jobs() -> String {
        let yaml = YAMLWriter()
        var lines = GeneratedHeader.lines(.gitlab)
        lines.append(
            "Every job the child pipeline can hold; the job \(GitLabGenerator.detectionJob) copies the selected ones into it."
        )
        yaml.comment(lines.joined(separator: "\n"))
        yaml.blank()
        yaml.entry("stages", "[slipway]")
        let runsTools = pipeline.instances.contains { !$0.tools.isEmpty }
        yaml.blank()
        yaml.nest("variables") {
            yaml.comment("Set by \(GitLabGenerator.detectionJob): this run's event, and whether jobs record marks.")
            yaml.entry("SLIPWAY_EVENT", quoted: "push")
            yaml.entry("SLIPWAY_MARKS", quoted: "false")
            for (name, value) in spec.env { yaml.entry(name, quoted: value) }
            if runsTools {
                yaml.comment("Installs and checks pinned tools; every job that runs one evaluates it.")
                yaml.nest(ToolScripts.functionsVariable) {
                    yaml.literal("value", ToolScripts.functions(pipeline))
                    yaml.entry("expand", "false")
                }
            }
            if converges {
                yaml.comment("Records that a job succeeded (docs/planning.md, Convergence).")
                yaml.nest(Self.markFunctionVariable) {
                    yaml.literal("value", MarkScript.function)
                    yaml.entry("expand", "false")
                }
            }
        }
        for id in pipeline.executionOrder {
            guard let instance = pipeline.instance(id) else { continue }
            if let point = pipeline.approvalPoint(before: id) {
                yaml.blank()
                approvalJob(point, before: instance, yaml)
            }
            yaml.blank()
            job(instance, yaml)
        }
        return yaml.text
    }

    /// The blocking manual job where an environment's gate asks, once per run.
    ///
    /// The detection puts it into the child only before the first of the run's jobs for the
    /// environment, and those jobs wait for it instead of asking themselves. Its environment, with
    /// `action: prepare`, makes a protected environment decide who may run it, and records no
    /// deployment.
    func approvalJob(_ point: ApprovalPoint, before instance: JobInstance, _ yaml: YAMLWriter) {
        yaml.nest(point.slug) {
            yaml.entry("stage", "slipway")
            yaml.nest("environment") {
                yaml.entry("name", string: point.environment)
                yaml.entry("action", "prepare")
            }
            yaml.entry("interruptible", "false")
            yaml.entry("timeout", "5 minutes")
            // What the job itself waits for (GitLab's needs wait transitively).
            writeNeeds(
                instance.waitsFor.map { (job: JobInstance.slug(for: $0), artifacts: false) },
                because:
                    "Asks once what \(instance.id) waits for is done; a job that is not selected is not in the pipeline.",
                yaml)
            yaml.entry("when", "manual")
            yaml.comment("Blocking: the run's jobs for '\(point.environment)' wait for the approval.")
            yaml.entry("allow_failure", "false")
            yaml.nest("script") {
                yaml.item(YAMLWriter.quoted("echo " + ChangeDetectionScript.singleQuoted(point.approvedMessage)))
            }
        }
    }

    /// The file-level variable that holds `MarkScript.function`.
    static let markFunctionVariable = "SLIPWAY_MARK_FUNCTION"

    /// Writes `needs`, each optional (a job that is not selected is not in the child), with the
    /// comment `because` above them; `[]` when there are none.
    func writeNeeds(_ needs: [(job: String, artifacts: Bool)], because: String, _ yaml: YAMLWriter) {
        guard !needs.isEmpty else { return yaml.entry("needs", "[]") }
        yaml.comment(because)
        yaml.nest("needs") {
            for need in needs {
                yaml.item {
                    yaml.entry("job", need.job)
                    yaml.entry("optional", "true")
                    yaml.entry("artifacts", need.artifacts ? "true" : "false")
                }
            }
        }
    }

    /// What `instance`'s job needs, by job key, and whether it takes that job's artifacts: what it
    /// waits for, the producers it receives files from (GitLab hands artifacts only to the jobs
    /// that list their producer), and for an environment's gate every approval job that could have
    /// asked (the child holds one at most).
    func needs(of instance: JobInstance) -> [(job: String, artifacts: Bool)] {
        let receives = Set(instance.receivesFrom)
        var ids = instance.waitsFor
        ids += instance.receivesFrom.filter { !ids.contains($0) }
        var needs = ids.map { (job: JobInstance.slug(for: $0), artifacts: receives.contains($0)) }
        if case .environment = instance.approval {
            needs += pipeline.approvalPoints(awaitedBy: instance.id).map { (job: $0.slug, artifacts: false) }
        }
        return needs
    }

    func job(_ instance: JobInstance, _ yaml: YAMLWriter) {
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
            writeNeeds(
                needs(of: instance), because: "Optional: a job that is not selected is not in the pipeline.", yaml)
            if case .job = instance.approval {
                yaml.entry("when", "manual")
                yaml.comment("Blocking: what needs this job waits for the approval.")
                yaml.entry("allow_failure", "false")
            }
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
            variables(instance, yaml)
            yaml.nest("script") { yaml.item("bash --noprofile --norc -euo pipefail -c \"$SLIPWAY_WRAPPER\"") }
            artifacts(instance, yaml)
        }
    }

    func variables(_ instance: JobInstance, _ yaml: YAMLWriter) {
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
    /// checks, tool checks, retries, checksums, and its mark.
    func wrapper(_ instance: JobInstance) -> String {
        var script = """
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
        if converges && marks(instance) {
            script += """
                if [[ ${SLIPWAY_MARKS:-} == true ]]; then
                  eval "$\(Self.markFunctionVariable)"
                  export \(ChangeDetectionScript.Input.marksRemote)="${CI_REPOSITORY_URL:-origin}"
                  # Its work is done: a mark that cannot be written only makes the next push run it again.
                  \(MarkScript.call(instance, branch: spec.defaultBranch).dropLast()) || true
                fi

                """
        }
        return script
    }

    func artifacts(_ instance: JobInstance, _ yaml: YAMLWriter) {
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
