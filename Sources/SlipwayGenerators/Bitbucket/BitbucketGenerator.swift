import Foundation
import SlipwayCore

/// Writes `bitbucket-pipelines.yml` from a pipeline.
///
/// Bitbucket's `condition: changesets` looks at commits (every commit of a pull request, the last
/// commit of a push), not at `slipway plan`'s net diff, so it cannot select the same jobs. Each
/// pipeline therefore starts with a `slipway changes` step that runs the `ChangeDetectionScript`
/// and publishes one output variable per job; every job step carries `condition: state:
/// SLIPWAY_RUN_<n> == true`. Steps run one after another in execution order, so a failure stops
/// the steps after it. One pipeline per event: `pull-requests`, the default branch, and custom
/// pipelines for manual and scheduled runs. Pushes and manual runs converge: each step of the
/// default branch records its mark as a tag `slipway-marks/<slug>` (`MarkRefs.tagPrefix`).
public struct BitbucketGenerator: Sendable {
    /// The file's path in the repository.
    public static let path = "bitbucket-pipelines.yml"
    /// Bitbucket refuses pipelines with more steps than this.
    static let maximumSteps = 100
    /// The longest `max-time` a step may set: "A step's max-time can be configured to any positive
    /// integer between 1 and 720" (support.atlassian.com, "Exceeded build time limit").
    static let stepMinutesLimit = 720
    static let scriptDelimiter = "SLIPWAY_STEP_EOF"
    static let userScriptDelimiter = "SLIPWAY_SCRIPT_EOF"
    static let toolFunctionsDelimiter = "SLIPWAY_TOOLS_EOF"
    static let markFunctionDelimiter = "SLIPWAY_MARK_EOF"

    /// Creates the generator.
    public init() {}

    /// The configuration for `pipeline`, or the reasons it cannot be generated exactly.
    public func generate(_ pipeline: Pipeline) throws(GeneratorFailure) -> [GeneratedFile] {
        var problems: [Diagnostic] = []
        var reported: Set<String> = []
        for instance in pipeline.instances where reported.insert(instance.name).inserted {
            let lines = instance.script.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            if let line = lines.first(where: { $0 == Self.scriptDelimiter || $0 == Self.userScriptDelimiter }) {
                problems.append(
                    Diagnostic(
                        .scriptHasEmbeddingDelimiter(platform: .bitbucket, job: instance.name, line: line),
                        at: pipeline.location(ofScript: instance.name)))
            }
        }
        let approvals = Set(pipeline.approvalPoints.map(\.instance))
        for event in Event.allCases {
            let taking = pipeline.instances.filter { pipeline.takesPart($0, in: event) }
            // The change detection, each instance, and a manual step before each approval point.
            let count = taking.count + taking.filter { approvals.contains($0.id) }.count
            if count + 1 > Self.maximumSteps {
                problems.append(
                    Diagnostic(
                        .tooManySteps(platform: .bitbucket, event: event, steps: count + 1, limit: Self.maximumSteps),
                        at: pipeline.spec.sourceMap.key(["jobs"])))
            }
        }
        problems += pipeline.timeoutProblems(platform: .bitbucket, limit: Self.stepMinutesLimit)
        if !problems.isEmpty { throw GeneratorFailure(diagnostics: problems) }
        let writer = BitbucketWriter(pipeline: pipeline)
        return [GeneratedFile(path: Self.path, contents: writer.file())]
    }
}

private struct BitbucketWriter {
    let pipeline: Pipeline
    let yaml = YAMLWriter()
    /// Whether a step earlier in the file holds the tool functions' anchored item.
    let toolFunctionsWritten = Flag()
    /// Whether a step earlier in the file holds the mark function's anchored item.
    let markFunctionWritten = Flag()

    final class Flag {
        var isSet = false
    }

    /// The anchor of the script item that writes the tool functions to a file.
    static let toolFunctionsAnchor = "slipway-tool-functions"
    /// Where that item writes them.
    static let toolFunctionsFile = "\"${TMPDIR:-/tmp}/slipway-tool-functions.sh\""
    /// The anchor of the script item that writes the mark function to a file.
    static let markFunctionAnchor = "slipway-mark-function"
    /// Where that item writes it.
    static let markFunctionFile = "\"${TMPDIR:-/tmp}/slipway-mark-function.sh\""

    /// Whether pushes and manual runs converge: some job takes part in them.
    var converges: Bool { ChangeDetectionScript.converges(pipeline) }

    var spec: Spec { pipeline.spec }

    func index(_ instance: JobInstance) -> Int {
        pipeline.index(of: instance.id) ?? 0
    }

    /// The output variable that says whether an instance runs.
    func runVariable(_ instance: JobInstance) -> String { "SLIPWAY_RUN_\(index(instance))" }

    /// The output variable that says whether an environment's gate asks at `point`.
    func approvalVariable(_ point: ApprovalPoint) -> String {
        "SLIPWAY_APPROVE_\(pipeline.index(of: point.instance) ?? 0)"
    }

    /// The output variable carrying a producer's checksum manifest digest.
    func digestVariable(_ instance: JobInstance) -> String { JobScripts.digestVariable(instance, in: pipeline) }

    func file() -> String {
        header()
        yaml.comment(
            "Jobs run their scripts with bash; the image must provide bash, git, tar and sha256sum, and where a step installs pinned tools, curl and unzip (or python3)."
        )
        yaml.entry("image", "atlassian/default-image:4")
        yaml.blank()
        yaml.comment("The change detection needs the history: merge bases and the commits jobs last succeeded at.")
        yaml.nest("clone") { yaml.entry("depth", "full") }
        yaml.blank()
        let toolSets = pipeline.instances.filter(\.installsTools).map {
            ToolCacheLayout.cacheKey(for: $0.tools)
        }
        if !toolSets.isEmpty {
            yaml.comment(
                "The verified archives of the pinned tools steps install, kept between pipelines; one cache per set of tools."
            )
            yaml.nest("definitions") {
                yaml.nest("caches") {
                    var seen: Set<String> = []
                    for key in toolSets where seen.insert(key).inserted {
                        yaml.entry(key, "\(ToolCacheLayout.root)/\(ToolCacheLayout.downloads)")
                    }
                }
            }
            yaml.blank()
        }
        let steps = Dictionary(
            uniqueKeysWithValues: Event.allCases.map { event in
                (
                    event,
                    pipeline.executionOrder.compactMap(pipeline.instance).filter { pipeline.takesPart($0, in: event) }
                )
            })
        yaml.nest("pipelines") {
            if let pullRequest = steps[.pullRequest], !pullRequest.isEmpty {
                yaml.nest("pull-requests") {
                    yaml.nest("'**'") { self.steps(pullRequest, event: .pullRequest) }
                }
            }
            if let push = steps[.push], !push.isEmpty {
                yaml.nest("branches") {
                    yaml.nest(YAMLWriter.scalar(spec.defaultBranch)) { self.steps(push, event: .push) }
                }
            }
            let custom = [Event.manual, .schedule].filter { steps[$0]?.isEmpty == false }
            if !custom.isEmpty {
                yaml.nest("custom") {
                    for event in custom {
                        yaml.nest("slipway-\(event.rawValue)") {
                            if event == .manual && converges {
                                // Offered when the pipeline is run: every job, whatever its mark.
                                yaml.item {
                                    yaml.nest("variables") {
                                        yaml.item {
                                            yaml.entry("name", ChangeDetectionScript.Input.all)
                                            yaml.entry("default", quoted: "false")
                                            yaml.entry("allowed-values", "['false', 'true']")
                                        }
                                    }
                                }
                            }
                            self.steps(steps[event] ?? [], event: event)
                        }
                    }
                }
            }
        }
        return yaml.text
    }

    /// One pipeline's steps: the change detection, then each instance that takes part in `event`.
    func steps(_ instances: [JobInstance], event: Event) {
        detectionStep(event)
        // Bitbucket rejects a pipeline that names one deployment environment on two steps ("occurs
        // multiple times in the pipeline"): only the first step that changes an environment
        // carries it; every step that changes it shares its concurrency group.
        var deployed: Set<String> = []
        for instance in instances {
            if let point = pipeline.approvalPoint(before: instance.id) { approvalStep(point) }
            let deployment =
                instance.mutates ? instance.environment.flatMap { deployed.insert($0).inserted ? $0 : nil } : nil
            step(instance, event: event, deployment: deployment)
        }
    }

    /// The manual step where an environment's gate asks, once per run: it runs only before the
    /// first of the run's steps that change the environment, and those steps then run without
    /// asking again.
    func approvalStep(_ point: ApprovalPoint) {
        yaml.item {
            yaml.nest("step") {
                yaml.entry("name", string: "approve \(point.environment)")
                yaml.nest("condition") { yaml.entry("state", "\(approvalVariable(point)) == true") }
                yaml.entry("trigger", "manual")
                yaml.nest("clone") { yaml.entry("enabled", "false") }
                yaml.entry("max-time", "5")
                yaml.nest("script") { embed("echo \(ChangeDetectionScript.singleQuoted(point.approvedMessage))\n") }
            }
        }
    }

    func header() {
        var lines = GeneratedHeader.lines(.bitbucket)
        if !spec.secrets.isEmpty {
            lines.append(
                "Repository variables to set (secured): \(spec.secrets.joined(separator: ", ")). Deployment variables reach only"
            )
            lines.append(
                "the first step that changes each environment (the one with 'deployment'), so keep shared secrets here."
            )
            lines.append(
                "Steps that do not list a secret unset it before their script runs, but their processes can still read the step's starting"
            )
            lines.append(
                "environment (/proc/<pid>/environ): keep a secret only one deploy needs in that environment's deployment variables."
            )
        }
        if pipeline.instances.contains(where: { $0.gate != nil }) {
            lines.append(
                "Gates are manual steps: anyone with write access can run one; deployment permissions (Premium) also hold an environment's 'deployment' step for who may deploy."
            )
            if !pipeline.approvalPoints.isEmpty {
                lines.append(
                    "An environment's gate asks once per run, at an 'approve' step before the first step of the run that changes it."
                )
            }
        }
        if pipeline.instances.contains(where: { !$0.produces.isEmpty }) {
            lines.append(
                "Artifacts are deleted after 14 days: a step run later finds its producer's files gone and stops, saying so; re-run the pipeline."
            )
        }
        var environments: [String] = []
        for instance in pipeline.instances where instance.mutates {
            if let environment = instance.environment, !environments.contains(environment) {
                environments.append(environment)
            }
        }
        if !environments.isEmpty {
            lines.append(
                "Deployment environments to create (Repository settings > Deployments): \(environments.joined(separator: ", "))."
            )
        }
        if pipeline.instances.contains(where: { $0.events.contains(.schedule) }) {
            lines.append(
                "Schedules: create one for the custom pipeline 'slipway-schedule' (Pipelines > Schedules)"
                    + (spec.schedule.isEmpty ? "." : ", at \(spec.schedule.joined(separator: "; ")) (UTC)."))
        }
        if converges {
            lines.append(
                "Pushes to \(spec.defaultBranch) and runs of slipway-manual there run every job that is out of date since it last succeeded;"
            )
            lines.append(
                "each step records its success as a tag slipway-marks/<job>, pushed through the pipeline's own origin (nothing to set up)."
            )
            lines.append(
                "Keep those tags: deleting them makes the next push run every job. Run slipway-manual with SLIPWAY_ALL=true to run them all."
            )
            lines.append(
                "A step that cannot push its tag says so in its log and still succeeds; the next push runs it again.")
        }
        yaml.comment(lines.joined(separator: "\n"))
        yaml.blank()
    }

    func detectionStep(_ event: Event) {
        typealias Input = ChangeDetectionScript.Input
        let pipeline = self.pipeline
        let instances = pipeline.instances
        // Custom pipelines run on any branch, and forks run pipelines too: mutating steps run only
        // on the default branch of the canonical repository.
        let detection = ChangeDetectionScript(
            pipeline: pipeline, converges: converges,
            deployGuard: .defaultBranch(of: spec, branch: "BITBUCKET_BRANCH", repository: "BITBUCKET_REPO_FULL_NAME"),
            marksRemotePrefix: MarkRefs.tagPrefix,
            outputName: { instance in "SLIPWAY_RUN_\(pipeline.index(of: instance.id) ?? 0)" },
            approvalName: { point in "SLIPWAY_APPROVE_\(pipeline.index(of: point.instance) ?? 0)" })
        var environment =
            "export \(Input.event)=\(event.rawValue) \(Input.output)=\"$BITBUCKET_PIPELINES_VARIABLES_PATH\"\n"
        switch event {
        case .pullRequest:
            environment +=
                "export \(Input.baseSHA)=\"$BITBUCKET_PR_DESTINATION_COMMIT\" \(Input.headSHA)=\"$BITBUCKET_COMMIT\"\n"
        case .push where !converges:
            environment += "\(Input.before)=$(git rev-parse --verify --quiet \"$BITBUCKET_COMMIT^\" || true)\n"
            environment += "export \(Input.before) \(Input.after)=\"$BITBUCKET_COMMIT\"\n"
        case .push, .manual, .schedule:
            break
        }
        yaml.item {
            yaml.nest("step") {
                yaml.entry("name", "slipway changes")
                yaml.entry("max-time", "10")
                yaml.nest("output-variables") {
                    for instance in instances { yaml.item(runVariable(instance)) }
                    for point in pipeline.approvalPoints { yaml.item(approvalVariable(point)) }
                }
                yaml.nest("script") { embed(environment + detection.text) }
            }
        }
    }

    /// A script as a file written by a quoted here-document, then run by bash: Bitbucket's own
    /// shell may not be bash, and the here-document keeps every character literal.
    ///
    /// With `toolFunctions`, an item between the two writes `ToolScripts.functions(_:)` to a file the
    /// script sources: the first such step in the file holds it under a YAML anchor, which
    /// Bitbucket supports (support.atlassian.com/bitbucket-cloud/docs/yaml-anchors), and every later
    /// one repeats it by alias, so the file holds the functions once.
    func embed(_ script: String, toolFunctions: Bool = false, markFunction: Bool = false) {
        let body = script.hasSuffix("\n") ? script : script + "\n"
        yaml.literalItem(
            "cat >\"${TMPDIR:-/tmp}/slipway-step.sh\" <<'\(BitbucketGenerator.scriptDelimiter)'\n" + body
                + BitbucketGenerator.scriptDelimiter + "\n")
        if toolFunctions {
            sharedFile(
                ToolScripts.functions(pipeline), to: Self.toolFunctionsFile, anchor: Self.toolFunctionsAnchor,
                delimiter: BitbucketGenerator.toolFunctionsDelimiter, written: toolFunctionsWritten)
        }
        if markFunction {
            sharedFile(
                MarkScript.definition(remotePrefix: MarkRefs.tagPrefix), to: Self.markFunctionFile,
                anchor: Self.markFunctionAnchor, delimiter: BitbucketGenerator.markFunctionDelimiter,
                written: markFunctionWritten)
        }
        yaml.item("bash --noprofile --norc -euo pipefail \"${TMPDIR:-/tmp}/slipway-step.sh\"")
    }

    /// The item that writes `text` to `file`: anchored the first time, an alias after that.
    func sharedFile(_ text: String, to file: String, anchor: String, delimiter: String, written: Flag) {
        if written.isSet {
            yaml.aliasItem(anchor)
        } else {
            written.isSet = true
            yaml.literalItem("cat >\(file) <<'\(delimiter)'\n" + text + delimiter + "\n", anchor: anchor)
        }
    }

    func step(_ instance: JobInstance, event: Event, deployment: String?) {
        yaml.item {
            yaml.nest("step") {
                yaml.entry("name", string: instance.id)
                if let image = instance.image { yaml.entry("image", string: image) }
                yaml.nest("condition") { yaml.entry("state", "\(runVariable(instance)) == true") }
                // An environment's gate asks at its approval step; a job's own gate asks here.
                if case .job = instance.approval { yaml.entry("trigger", "manual") }
                if !instance.oidc.isEmpty {
                    yaml.comment("Short-lived cloud credentials from Bitbucket's OIDC token; no stored keys.")
                    yaml.entry("oidc", "true")
                }
                if let deployment { yaml.entry("deployment", string: deployment) }
                if instance.mutates, let environment = instance.environment {
                    yaml.comment("One change to '\(environment)' at a time.")
                    yaml.entry("concurrency-group", string: "slipway-\(environment)")
                }
                yaml.entry("max-time", "\(instance.timeoutMinutes)")
                if instance.installsTools {
                    yaml.nest("caches") { yaml.item(ToolCacheLayout.cacheKey(for: instance.tools)) }
                }
                if !instance.produces.isEmpty {
                    yaml.nest("output-variables") { yaml.item(digestVariable(instance)) }
                    // Bitbucket hands every earlier step's artifacts to every later step, so the
                    // files travel in this instance's own directory, never at their paths.
                    yaml.nest("artifacts") {
                        yaml.item(YAMLWriter.quoted(JobScripts.artifactDirectory(instance) + "/**"))
                        yaml.item(YAMLWriter.quoted(JobScripts.manifestPath(instance)))
                    }
                }
                yaml.nest("script") {
                    embed(
                        wrapper(instance, event: event), toolFunctions: !instance.tools.isEmpty,
                        markFunction: recordsMarks(in: event))
                }
            }
        }
    }

    func wrapper(_ instance: JobInstance, event: Event) -> String {
        var script = """
            export SLIPWAY_JOB=\(ChangeDetectionScript.singleQuoted(instance.id)) SLIPWAY_EVENT=\(event.rawValue)
            export SLIPWAY_RUN_ID="${BITBUCKET_BUILD_NUMBER:-}"
            export SLIPWAY_SUMMARY="${TMPDIR:-/tmp}/slipway-summary.md"

            """
        if let environment = instance.environment {
            script += "export SLIPWAY_ENVIRONMENT=\(ChangeDetectionScript.singleQuoted(environment))\n"
        }
        script += "export SLIPWAY_FINGERPRINT=\(instance.fingerprint)\n"
        // Bitbucket has no file-wide variables: every step exports all of its own.
        for variable in instance.variables {
            script += "export \(variable.name)=\(ChangeDetectionScript.singleQuoted(variable.value))\n"
        }
        // Bitbucket has no file-wide variables: a script item writes the functions to a file
        // (`embed`).
        script += JobScripts.preparation(
            instance, in: pipeline,
            loadToolFunctions: "# shellcheck source=/dev/null\n. \(BitbucketWriter.toolFunctionsFile)\n",
            restoresCopies: true)
        for provider in instance.oidc {
            // One token per step; the identity provider must trust the workspace's audience.
            script += "export SLIPWAY_OIDC_TOKEN=\"${BITBUCKET_STEP_OIDC_TOKEN:-}\"\n"
            script += JobScripts.oidcSetup(provider, spec.oidc, tokenVariable: "SLIPWAY_OIDC_TOKEN")
        }
        script += "IFS= read -r -d '' SLIPWAY_SCRIPT <<'\(BitbucketGenerator.userScriptDelimiter)' || true\n"
        script += instance.script + BitbucketGenerator.userScriptDelimiter + "\n"
        script += JobScripts.runScript(instance)
        // Bitbucket has no job summary page: the summary goes to the log.
        script += "if [[ -s \"$SLIPWAY_SUMMARY\" ]]; then cat \"$SLIPWAY_SUMMARY\"; fi\n"
        if !instance.produces.isEmpty {
            script += JobScripts.copyProduced(instance)
            script += JobScripts.recordChecksums(
                instance, digestVariable: digestVariable(instance),
                digestFile: "\"$BITBUCKET_PIPELINES_VARIABLES_PATH\"")
        }
        if recordsMarks(in: event) {
            let branch = ChangeDetectionScript.singleQuoted(spec.defaultBranch)
            script += """
                if [[ ${BITBUCKET_BRANCH:-} == \(branch) ]]; then
                  # shellcheck source=/dev/null
                  . \(Self.markFunctionFile)
                  # Its work is done: a mark that cannot be written only makes the next push run it again.
                  \(MarkScript.call(instance, branch: spec.defaultBranch).dropLast()) || true
                fi

                """
        }
        return script
    }

    /// Whether the steps of `event`'s pipeline record their marks: every step of a converging one.
    func recordsMarks(in event: Event) -> Bool {
        converges && ChangeDetectionScript.convergingEvents.contains(event)
    }
}
