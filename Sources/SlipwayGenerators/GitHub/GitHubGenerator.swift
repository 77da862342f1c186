import SlipwayCore

/// Writes `.github/workflows/slipway.yml` from a pipeline.
///
/// GitHub Actions has no per-job path filter, so a first job, `slipway-changes`, runs the
/// `ChangeDetectionScript` and every other job reads its answer in `if:`. Jobs need what they wait
/// for directly, and run only when each of those that was selected succeeded, so a failure stops
/// what depends on it through selected jobs, as in `slipway run`, while a skipped (unselected)
/// upstream job does not stop them; `needs` grow with the pipeline's edges. The workflow is hardened:
/// `permissions: {}` with documented least privilege per job, actions pinned to commit SHAs,
/// `persist-credentials: false`, a timeout on every job, no `pull_request_target`, and no `${{ }}`
/// expression inside a script.
public struct GitHubGenerator: Sendable {
    /// The workflow's path in the repository.
    public static let path = ".github/workflows/slipway.yml"
    /// The detection job's key; no spec job may use it.
    static let detectionJob = "slipway-changes"
    /// The largest workflow GitHub starts runs from: "500 KB (512,000 bytes)"
    /// (docs.github.com/en/actions/reference/limits); a larger one fails every run without a word.
    static let fileBytesLimit = 512_000
    /// The longest string Slipway writes into a workflow.
    ///
    /// GitHub takes each as an expression, and one over 21,000 characters ("Exceeded max expression length 21000") makes it refuse the
    /// whole file, which then runs nothing (github.com/rhysd/actionlint/issues/356).
    static let partLength = 20_000
    /// How long a job may run on a GitHub-hosted runner: "Each job in a workflow can run for up to
    /// 6 hours of execution time" (docs.github.com, "Usage limits, billing, and administration").
    static let jobMinutesLimit = 360
    /// The key of the job that records which jobs succeeded (`MarkScript`); no spec job may use it.
    static let marksJob = "slipway-marks"

    /// Creates the generator.
    public init() {}

    /// Secrets GitHub cannot hold as named: it refuses names starting with `GITHUB_`, and stores
    /// names in upper case, so two names that differ only in case are one secret
    /// (docs.github.com/en/actions/reference/secrets-reference, "Naming your secrets").
    static func secretNameProblems(_ pipeline: Pipeline) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var seen: [String: String] = [:]
        for (index, secret) in pipeline.spec.secrets.enumerated() {
            let upper = secret.uppercased()
            if upper.hasPrefix("GITHUB_") {
                let suggestion = "GH_" + upper.dropFirst("GITHUB_".count)
                problems.append(
                    Diagnostic(
                        .secretNameReserved(
                            platform: .github, secret: secret, prefix: "GITHUB_", suggestion: suggestion),
                        at: pipeline.location(ofSecret: index)))
            }
            if let first = seen[upper] {
                problems.append(
                    Diagnostic(
                        .secretNamesCollide(platform: .github, secret: secret, other: first),
                        at: pipeline.location(ofSecret: index)))
            } else {
                seen[upper] = secret
            }
        }
        return problems
    }

    /// The workflow for `pipeline`, or the reasons it cannot be generated exactly.
    public func generate(_ pipeline: Pipeline) throws(GeneratorFailure) -> [GeneratedFile] {
        var problems: [Diagnostic] = []
        var reported: Set<String> = []
        for instance in pipeline.instances
        where [Self.detectionJob, Self.marksJob].contains(instance.slug)
            && reported.insert("name \(instance.name)").inserted
        {
            problems.append(
                Diagnostic(
                    .jobNameReservedForDetection(platform: .github, job: instance.name, name: instance.slug),
                    at: pipeline.location(ofJob: instance.name)))
        }
        for instance in pipeline.instances {
            if instance.script.contains("${{"), reported.insert("run \(instance.name)").inserted {
                problems.append(
                    Diagnostic(
                        .expressionInScript(platform: .github, job: instance.name, expression: "${{"),
                        at: pipeline.location(ofScript: instance.name)))
            }
            for variable in instance.variables where variable.value.contains("${{") {
                // A value from the top level or an environment is reported once, where it is written.
                let job = variable.origin == .job ? instance.name : nil
                guard reported.insert("env \(variable.origin) \(job ?? "") \(variable.name)").inserted else { continue }
                problems.append(
                    Diagnostic(
                        .expressionInVariable(platform: .github, job: job, variable: variable.name, expression: "${{"),
                        at: pipeline.location(of: variable, job: instance.name)))
            }
        }
        problems += Self.secretNameProblems(pipeline)
        for instance in pipeline.instances
        where instance.script.utf8.count > Self.partLength && reported.insert("long \(instance.name)").inserted {
            problems.append(
                Diagnostic(
                    .scriptTooLong(
                        platform: .github, job: instance.name, characters: instance.script.utf8.count,
                        limit: Self.partLength),
                    at: pipeline.location(ofScript: instance.name)))
        }
        problems += pipeline.timeoutProblems(platform: .github, limit: Self.jobMinutesLimit)
        let writer = Writer(pipeline: pipeline)
        for instance in pipeline.instances where reported.insert("needs \(instance.name)").inserted {
            // Each job it waits for adds a test to its `if`, which GitHub reads as one expression.
            let needs = instance.waitsFor.map(JobInstance.slug(for:))
            guard writer.jobCondition(instance, checked: needs).utf8.count > Self.partLength else { continue }
            let fitting = (0...needs.count).last {
                writer.jobCondition(instance, checked: Array(needs.prefix($0))).utf8.count <= Self.partLength
            }
            problems.append(
                Diagnostic(
                    .tooManyNeeds(platform: .github, job: instance.name, needs: needs.count, limit: fitting ?? 0),
                    at: pipeline.location(ofJob: instance.name)))
        }
        if !problems.isEmpty { throw GeneratorFailure(diagnostics: problems) }
        let contents = writer.workflow()
        if contents.utf8.count > Self.fileBytesLimit {
            throw GeneratorFailure(diagnostics: [
                Diagnostic(
                    .generatedFileTooLarge(
                        platform: .github, path: Self.path, bytes: contents.utf8.count, limit: Self.fileBytesLimit,
                        jobs: pipeline.instances.count),
                    at: pipeline.spec.sourceMap.key(["jobs"]))
            ])
        }
        return [GeneratedFile(path: Self.path, contents: contents)]
    }
}

private struct Writer {
    let pipeline: Pipeline
    let yaml = YAMLWriter()
    /// `ToolScripts.functions(_:)` in parts GitHub can read (`partLength`).
    let toolFunctionParts: [String]

    init(pipeline: Pipeline) {
        self.pipeline = pipeline
        let functions = ToolScripts.functions(pipeline)
        toolFunctionParts = Self.parts(of: functions) ?? [functions]
    }

    var spec: Spec { pipeline.spec }

    func workflow() -> String {
        header()
        yaml.entry("name", "slipway")
        yaml.blank()
        triggers()
        yaml.blank()
        yaml.comment("Every job asks for the permissions it needs below; nothing else is granted.")
        yaml.entry("permissions", "{}")
        yaml.blank()
        yaml.comment("A newer commit on a pull request cancels the older run; pushes always run to the end.")
        yaml.nest("concurrency") {
            yaml.entry("group", "slipway-${{ github.workflow }}-${{ github.event.pull_request.number || github.sha }}")
            yaml.entry("cancel-in-progress", "${{ github.event_name == 'pull_request' }}")
        }
        yaml.blank()
        yaml.comment("Every script runs in bash, which stops at the first failing command.")
        yaml.nest("defaults") {
            yaml.nest("run") { yaml.entry("shell", Self.shell) }
        }
        let runsTools = pipeline.instances.contains { !$0.tools.isEmpty }
        let checksOutdated = converges && pipeline.instances.contains(where: \.mutates)
        let restores = pipeline.instances.contains { !$0.receivesFrom.isEmpty }
        yaml.blank()
        yaml.nest("env") {
            for (name, value) in spec.env { yaml.entry(name, string: value) }
            yaml.comment("The event as Slipway names it, for the change detection and every job's script.")
            yaml.entry(ChangeDetectionScript.Input.event, Self.event)
            // Scripts many jobs run, held once so that the file stays small (GitHub reads
            // nothing over 512,000 bytes); the steps evaluate them.
            if runsTools {
                yaml.comment("Installs and checks pinned tools; every job that runs one evaluates it.")
                for (index, part) in toolFunctionParts.enumerated() {
                    yaml.literal(Self.toolFunctionsVariable(part: index), part)
                }
            }
            if checksOutdated {
                yaml.comment("Stops a deploy whose commit is no longer the head of \(spec.defaultBranch).")
                yaml.literal(Self.outdatedCheckVariable, outdatedCheckScript)
            }
            if restores {
                yaml.comment("Verifies the files a job receives against the digest their producer recorded.")
                yaml.literal(Self.restoreVariable, Self.restoreScript)
            }
        }
        yaml.blank()
        yaml.nest("jobs") {
            detectionJob()
            let stages = pipeline.approvalStages
            for id in pipeline.executionOrder {
                guard let instance = pipeline.instance(id) else { continue }
                for stage in stages where stage.points.first?.instance == id {
                    yaml.blank()
                    approvalJob(stage)
                }
                yaml.blank()
                job(instance)
            }
            if converges {
                yaml.blank()
                marksJob()
            }
        }
        return yaml.text
    }

    func header() {
        var lines = GeneratedHeader.lines(.github)
        if !spec.secrets.isEmpty {
            lines.append(
                "Repository secrets to set (Settings > Secrets and variables > Actions): \(spec.secrets.joined(separator: ", "))"
            )
        }
        let environments = gitHubEnvironments()
        if !environments.isEmpty {
            lines.append("Environments (Settings > Environments): \(environments.joined(separator: ", ")).")
            let reviewed = reviewedEnvironments()
            if !reviewed.isEmpty {
                lines.append(
                    "Add required reviewers to \(reviewed.joined(separator: ", ")) (that is what makes a gate wait), and to no other:"
                )
                lines.append(
                    "GitHub asks at every job that references an environment with reviewers, so a gated environment is approved once per run at <env>-approval."
                )
            }
            lines.append(
                "Required reviewers exist for public repositories on every plan, for private ones only on GitHub Enterprise: elsewhere a gate does not wait."
            )
        }
        if pipeline.instances.contains(where: { $0.events.contains(.pullRequest) }) {
            lines.append(
                "Pull-request checks run in the merge queue too (merge_group). A pull request from a fork gets no secrets and no OIDC token:"
            )
            lines.append("the jobs that need them do not run for it, and a notice on the run names them.")
        }
        if converges {
            lines.append(
                "Pushes and manual runs of \(spec.defaultBranch) run every job that is out of date since it last succeeded there;"
            )
            lines.append(
                "the job slipway-marks records each success as a ref \(MarkRefs.prefix)<job>, pushed with the workflow's token."
            )
            lines.append(
                "Keep those refs: deleting them makes the next push run every job. Nothing to set up (contents: write suffices)."
            )
        }
        yaml.comment(lines.joined(separator: "\n"))
    }

    /// The workflow variable holding part `part` (from 0) of the tool functions.
    static func toolFunctionsVariable(part: Int) -> String {
        part == 0 ? ToolScripts.functionsVariable : "\(ToolScripts.functionsVariable)_\(part + 1)"
    }

    /// Evaluates the tool functions from their `parts` variables.
    static func evaluateToolFunctions(parts: Int) -> String {
        evaluation(of: (0..<parts).map(toolFunctionsVariable(part:)), holding: "tool functions text")
    }

    /// Whether pushes and manual runs converge: some job takes part in them.
    var converges: Bool { ChangeDetectionScript.converges(pipeline) }

    /// Sets git up to fetch and push with the job's token, as actions/checkout does, without
    /// writing it to any file.
    static let tokenForGit = """
        slipway_auth=$(printf 'x-access-token:%s' "$SLIPWAY_TOKEN" | base64 -w0)
        echo "::add-mask::$slipway_auth"
        export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0="http.$GITHUB_SERVER_URL/.extraheader"
        export GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $slipway_auth"

        """

    /// The workflow variable holding `outdatedCheckScript`.
    static let outdatedCheckVariable = "SLIPWAY_OUTDATED_CHECK"

    /// Stops a mutating job whose run is of an older commit than the default branch's head.
    ///
    /// Deploys queue in their environment's concurrency group in the order their jobs got there,
    /// not in commit order, so an older run's apply could otherwise undo a newer one's. The newer
    /// commit's run deploys instead: this job has not marked its commit, so convergence selects it
    /// there (GitLab's "prevent outdated deployment jobs" does the same).
    var outdatedCheckScript: String {
        let branch = ChangeDetectionScript.singleQuoted("refs/heads/\(spec.defaultBranch)")
        return Self.tokenForGit + """
            if ! command -v git >/dev/null; then
              echo "::warning::this job's image has no git, so it cannot check that \(spec.defaultBranch) has not moved on; an older run could deploy after a newer one"
              exit 0
            fi
            # The repository's URL, not 'origin': a container job's checkout may have no .git.
            latest=$(git ls-remote "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY" \(branch) | cut -f 1)
            if [[ -n $latest && $latest != "$GITHUB_SHA" ]]; then
              echo "::error::\(spec.defaultBranch) has moved on to ${latest:0:7} since this run of ${GITHUB_SHA:0:7}; the newer commit's run deploys instead, so this one changes nothing"
              exit 1
            fi

            """
    }

    /// The step that runs `outdatedCheckScript` with the job's token.
    func outdatedDeployCheck() {
        yaml.item {
            yaml.entry("name", string: "Stop if \(spec.defaultBranch) has moved on")
            yaml.nest("env") { yaml.entry("SLIPWAY_TOKEN", "${{ github.token }}") }
            yaml.literal("run", "eval \"$\(Self.outdatedCheckVariable)\"\n")
        }
    }

    /// The workflow variable holding `restoreScript`.
    static let restoreVariable = "SLIPWAY_RESTORE"

    /// Unpacks the archive `$ARCHIVE` that `$SLIPWAY_PRODUCER` uploaded, once its SHA-256 is the
    /// `$EXPECTED_SHA256` the producer recorded.
    static let restoreScript = """
        actual=$(sha256sum "$ARCHIVE" | cut -d ' ' -f 1)
        if [[ "$actual" != "$EXPECTED_SHA256" ]]; then
          echo "::error title=Artifact altered::the files $SLIPWAY_PRODUCER produced do not match the SHA-256 it recorded (expected $EXPECTED_SHA256, got $actual); re-run the pipeline from $SLIPWAY_PRODUCER"
          exit 1
        fi
        tar -xf "$ARCHIVE"

        """

    /// Whether `instance`'s job outputs when it succeeded, for its mark: a mutating instance that
    /// needs another is out of date when that one succeeded later (docs/planning.md), so the time
    /// must be the job's own, not when the marks are written.
    func recordsSuccessTime(_ instance: JobInstance) -> Bool {
        converges && (instance.events.contains(.push) || instance.events.contains(.manual))
    }

    /// The job that records, after everything else, which jobs succeeded at this commit.
    func marksJob() {
        let instances = pipeline.executionOrder.compactMap(pipeline.instance)
        yaml.nest(GitHubGenerator.marksJob) {
            yaml.entry("name", "slipway marks")
            yaml.wrapped(
                "needs",
                "[\(([GitHubGenerator.detectionJob] + instances.map(\.slug)).joined(separator: ", "))]")
            yaml.comment("Also after a failure or a cancellation: what did succeed is up to date.")
            yaml.wrapped(
                "if",
                "${{ always() && github.ref == 'refs/heads/\(spec.defaultBranch)' && (github.event_name == 'push' || github.event_name == 'workflow_dispatch') }}"
            )
            yaml.entry("runs-on", "ubuntu-latest")
            yaml.entry("timeout-minutes", "10")
            yaml.nest("permissions") {
                yaml.entry(
                    "contents", "write", comment: "push \(MarkRefs.prefix)*: which jobs succeeded at this commit")
            }
            yaml.nest("steps") {
                checkoutWithHistory(because: "The whole history: a mark moves only to a later commit.")
                // One mark that cannot be written does not keep the others from being written.
                let quoted = ChangeDetectionScript.singleQuoted
                var script =
                    Self.tokenForGit + MarkScript.function + """
                        # Each job's result and recorded time, from the needs context (jq is on GitHub's runners).
                        declare -A result=() succeeded_at=()
                        while IFS=$'\\t' read -r slug outcome time; do
                          result[$slug]=$outcome succeeded_at[$slug]=$time
                        done < <(jq -r 'to_entries[] | [.key, .value.result, (.value.outputs.succeeded_at // "")] | @tsv' <<<"$SLIPWAY_NEEDS")
                        slipway_failed=0
                        # mark SLUG FINGERPRINT [ID]: marks job SLUG (instance ID, if not SLUG) when it succeeded.
                        mark() {
                          if [[ ${result[$1]:-} == success ]]; then
                            slipway_mark "$1" "${3:-$1}" "$2" \(quoted(spec.defaultBranch)) "${succeeded_at[$1]:-}" || slipway_failed=1
                          fi
                        }

                        """
                for instance in instances {
                    var arguments = [quoted(instance.slug), quoted(instance.fingerprint)]
                    if instance.id != instance.slug { arguments.append(quoted(instance.id)) }
                    script += "mark \(arguments.joined(separator: " "))\n"
                }
                script += "exit \"$slipway_failed\"\n"
                let parts = Self.parts(of: script)
                yaml.item {
                    yaml.entry("name", "Record which jobs are up to date")
                    yaml.nest("env") {
                        yaml.entry("SLIPWAY_TOKEN", "${{ github.token }}")
                        yaml.entry("SLIPWAY_NEEDS", "${{ toJSON(needs) }}")
                        scriptParts(parts)
                    }
                    yaml.literal("run", Self.run(script, parts: parts))
                }
            }
        }
    }

    /// The GitHub environment a job runs in: its deployment environment when it mutates or is
    /// gated, or a dedicated approval environment for a gate without one.
    func gitHubEnvironment(_ instance: JobInstance) -> String? {
        let gated = instance.gate != nil
        if let environment = instance.environment, instance.mutates || gated { return environment }
        return gated ? "\(instance.name)-approval" : nil
    }

    /// Every environment the workflow references: the jobs' own, then the approval environments
    /// of gated environments.
    func gitHubEnvironments() -> [String] {
        var seen: Set<String> = []
        let approvals = pipeline.approvalPoints.map { "\($0.environment)-approval" }
        return (pipeline.instances.compactMap(gitHubEnvironment) + approvals).filter { seen.insert($0).inserted }
    }

    /// The environments whose required reviewers make a run wait: a gated environment's approval
    /// environment, and a job's own gate's environment.
    func reviewedEnvironments() -> [String] {
        var seen: Set<String> = []
        let reviewed = pipeline.executionOrder.compactMap(pipeline.instance).compactMap { instance -> String? in
            switch instance.approval {
            case .job: return gitHubEnvironment(instance)
            case .environment(let environment): return "\(environment)-approval"
            case nil: return nil
            }
        }
        return reviewed.filter { seen.insert($0).inserted }
    }

    func triggers() {
        let events = Set(pipeline.instances.flatMap(\.events))
        yaml.nest("on") {
            if events.contains(.pullRequest) {
                yaml.line("pull_request:")
                yaml.comment("The merge queue: a pull request's checks again, on the merge it queued.")
                yaml.line("merge_group:")
            }
            if events.contains(.push) {
                yaml.nest("push") { yaml.entry("branches", "[\(YAMLWriter.scalar(spec.defaultBranch))]") }
            }
            if events.contains(.manual) {
                if converges {
                    yaml.nest("workflow_dispatch") {
                        yaml.nest("inputs") {
                            yaml.nest("all") {
                                yaml.entry(
                                    "description",
                                    string: ChangeDetectionScript.Input.allDescription)
                                yaml.entry("type", "boolean")
                                yaml.entry("default", "false")
                            }
                        }
                    }
                } else {
                    yaml.line("workflow_dispatch:")
                }
            }
            if events.contains(.schedule) && !spec.schedule.isEmpty {
                yaml.nest("schedule") {
                    for cron in spec.schedule { yaml.item { yaml.entry("cron", quoted: cron) } }
                }
            }
        }
    }

    /// The jobs a pull request from a fork skips (`needsTrust`), by slug.
    var forkSkipped: [String] { pipeline.instances.filter(needsTrust).map(\.slug) }

    /// Says which selected jobs a pull request from a fork skipped, and why, as a notice on the run.
    var forkNotice: String {
        guard !forkSkipped.isEmpty else { return "" }
        return """
            if ((${#fork_skipped[@]} > 0)); then
              notice="GitHub gives pull requests from forks no secrets and no OIDC token, so these jobs do not run: ${fork_skipped[*]}."
              notice+=" To run them, push the branch to this repository and open the pull request from there."
              echo "::notice title=Skipped for a pull request from a fork::$notice"
            fi

            """
    }

    func detectionJob() {
        yaml.nest(GitHubGenerator.detectionJob) {
            yaml.entry("name", "slipway changes")
            yaml.entry("runs-on", "ubuntu-latest")
            yaml.entry("timeout-minutes", "10")
            yaml.nest("permissions") {
                yaml.entry("contents", "read", comment: "read the history to compute the change set")
            }
            yaml.nest("outputs") {
                for instance in pipeline.instances {
                    yaml.entry(instance.slug, "${{ steps.detect.outputs['\(instance.slug)'] }}")
                }
                for stage in pipeline.approvalStages {
                    yaml.entry(stage.slug, "${{ steps.detect.outputs['\(stage.slug)'] }}")
                }
            }
            yaml.nest("steps") {
                checkoutWithHistory(because: "The whole history, for merge bases and marked commits.")
                let detection =
                    "\(ChangeDetectionScript.Input.output)=\"$GITHUB_OUTPUT\"\nexport \(ChangeDetectionScript.Input.output)\n"
                    + (converges ? Self.tokenForGit : "")
                    + ChangeDetectionScript(
                        pipeline: pipeline, converges: converges,
                        untrusted: Set(pipeline.instances.filter(needsTrust).map(\.id)), stages: true
                    ).text
                    + forkNotice
                let parts = Self.parts(of: detection)
                yaml.item {
                    yaml.entry("name", "Decide which jobs run")
                    yaml.entry("id", "detect")
                    yaml.nest("env") {
                        typealias Input = ChangeDetectionScript.Input
                        if converges {
                            yaml.entry("SLIPWAY_TOKEN", "${{ github.token }}")
                            if pipeline.instances.contains(where: { $0.events.contains(.manual) }) {
                                yaml.entry(ChangeDetectionScript.Input.all, "${{ inputs.all == true }}")
                            }
                        }
                        yaml.entry(
                            Input.baseSHA,
                            "${{ github.event.pull_request.base.sha || github.event.merge_group.base_sha }}")
                        yaml.entry(
                            Input.headSHA,
                            "${{ github.event.pull_request.head.sha || github.event.merge_group.head_sha }}")
                        // A pull request from a fork gets no secrets and no OIDC token: the jobs that
                        // need them are not selected, and a notice says so. (`head.repo.fork` would
                        // also be true for a branch of a repository that is itself a fork.)
                        if !forkSkipped.isEmpty {
                            yaml.entry(
                                "SLIPWAY_FORK",
                                "${{ github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name != github.repository }}"
                            )
                        }
                        yaml.entry(Input.before, "${{ github.event.before }}")
                        yaml.entry(Input.after, "${{ github.sha }}")
                        scriptParts(parts)
                    }
                    yaml.literal("run", Self.run(detection, parts: parts))
                }
            }
        }
    }

    /// `script` in parts of at most `partLength` bytes, cut at line ends; nil when it fits whole.
    static func parts(of script: String) -> [String]? {
        let partLength = GitHubGenerator.partLength
        guard script.utf8.count > partLength else { return nil }
        var parts: [String] = []
        var part = ""
        let lines = script.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            // The last piece is what follows the final newline: nothing, for a script that ends with one.
            let piece = index == lines.count - 1 ? String(line) : line + "\n"
            if !part.isEmpty && part.utf8.count + piece.utf8.count > partLength {
                parts.append(part)
                part = ""
            }
            part += piece
        }
        if !part.isEmpty { parts.append(part) }
        return parts
    }

    /// The step's `env` entries holding `parts`, if any.
    func scriptParts(_ parts: [String]?) {
        for (index, part) in (parts ?? []).enumerated() { yaml.literal("SLIPWAY_SCRIPT_PART_\(index + 1)", part) }
    }

    /// The step's `run`: `script` itself, or the command that joins its parts and runs them.
    static func run(_ script: String, parts: [String]?) -> String {
        guard let parts else { return script }
        return evaluation(of: (1...parts.count).map { "SLIPWAY_SCRIPT_PART_\($0)" }, holding: "script")
    }

    /// Evaluates the text the `variables` hold together, in order; `what` names it in the comment.
    static func evaluation(of variables: [String], holding what: String) -> String {
        let joined = variables.map { "$\($0)" }.joined()
        guard variables.count > 1 else { return "eval \"\(joined)\"\n" }
        return "# The \(what) is in parts: GitHub refuses any string over 21,000 characters.\neval \"\(joined)\"\n"
    }

    /// A checkout step with the whole history and no stored credentials, saying why.
    func checkoutWithHistory(because reason: String) {
        yaml.item {
            yaml.entry("uses", GitHubActions.checkout.reference)
            yaml.nest("with") {
                yaml.comment(reason)
                yaml.entry("fetch-depth", "0")
                yaml.entry("persist-credentials", "false")
            }
        }
    }

    /// The shell every step runs its script with.
    static let shell = "bash --noprofile --norc -euo pipefail {0}"
    /// The event as Slipway names it: a manual run is `manual`, and a merge queue's run checks a
    /// pull request (`merge_group.base_sha..head_sha`).
    static let event =
        "${{ github.event_name == 'workflow_dispatch' && 'manual' || github.event_name == 'merge_group' && 'pull_request' || github.event_name }}"

    /// Whether `instance` cannot run for a pull request from a fork, which GitHub gives no secrets
    /// and no OIDC token: it needs one, or receives files from a job that does.
    func needsTrust(_ instance: JobInstance) -> Bool {
        func direct(_ instance: JobInstance) -> Bool { !instance.secrets.isEmpty || !instance.oidc.isEmpty }
        guard instance.events.contains(.pullRequest) else { return false }
        return direct(instance) || instance.receivesFrom.compactMap(pipeline.instance).contains(where: direct)
    }

    /// A job's `if`: the detection's `output` says it runs, nothing it needs failed or was
    /// cancelled, and each job in `checked` that the detection selected succeeded.
    ///
    /// `needs` name only what a job waits for directly, so a job skipped because something above
    /// it failed must stop what waits for it, as the local scheduler stops it; one skipped because
    /// it was not selected must not. With `deploys`, also only from the default branch (a manual
    /// run of another branch may check, never change, live infrastructure) of the canonical
    /// repository (a fork's runs never deploy).
    func condition(output: String, deploys: Bool, checked: [String] = [], failures: Bool = true) -> String {
        var guards = ""
        if deploys {
            guards += " && github.ref == 'refs/heads/\(spec.defaultBranch)'"
            if let repository = spec.repository { guards += " && github.repository == '\(repository)'" }
        }
        let detection = "needs.\(GitHubGenerator.detectionJob).outputs"
        for slug in checked {
            guards += " && (needs['\(slug)'].result == 'success' || \(detection)['\(slug)'] != 'true')"
        }
        if failures {
            guards += " && !contains(needs.*.result, 'failure') && !contains(needs.*.result, 'cancelled')"
        }
        return "${{ !cancelled() && \(detection)['\(output)'] == 'true'" + guards + " }}"
    }

    /// The `if` of `instance`'s job, testing that each of `checked` succeeded if it was selected.
    func jobCondition(_ instance: JobInstance, checked: [String]) -> String {
        condition(output: instance.slug, deploys: instance.mutates, checked: checked)
    }

    /// The job where an environment's gate asks, once per run, for the jobs of one stage.
    ///
    /// GitHub asks for required reviewers at every job that references the environment, one wave
    /// of ready jobs after another (github.com/liquibase/liquibase/pull/7964 measured it), so the
    /// reviewers belong to `<environment>-approval`, which only these jobs reference. The detection
    /// enables the first stage with a job the run selects; each of the environment's jobs needs its
    /// stages up to its own, and a rejection stops them as a failure does.
    ///
    /// It waits for what its jobs wait for (the reviewers see every plan it covers), but asks
    /// whatever their results: the stage's other jobs may still run, and they need this answer.
    func approvalJob(_ stage: ApprovalStage) {
        let waited = Set(stage.points.flatMap { pipeline.instance($0.instance)?.waitsFor ?? [] })
        let needs = pipeline.executionOrder.filter(waited.contains).map(JobInstance.slug(for:))
        yaml.nest(stage.slug) {
            yaml.entry("name", string: "approve \(stage.environment)")
            yaml.wrapped("needs", "[\(([GitHubGenerator.detectionJob] + needs).joined(separator: ", "))]")
            yaml.wrapped("if", condition(output: stage.slug, deploys: true, failures: false))
            yaml.entry("runs-on", "ubuntu-latest")
            yaml.entry("timeout-minutes", "5")
            yaml.entry("permissions", "{}")
            yaml.comment(
                "Gate: this waits for the required reviewers of '\(stage.environment)-approval', once per run for '\(stage.environment)'."
            )
            yaml.entry("environment", string: "\(stage.environment)-approval")
            yaml.nest("steps") {
                yaml.item {
                    yaml.entry("name", "Approved")
                    yaml.literal("run", "echo \(ChangeDetectionScript.singleQuoted(stage.approvedMessage))\n")
                }
            }
        }
    }

    func job(_ instance: JobInstance) {
        let waitsFor = instance.waitsFor.map(JobInstance.slug(for:))
        // Producers further up: the job downloads what they produced (`needs` gives their outputs).
        let producers = instance.receivesFrom.filter { !instance.waitsFor.contains($0) }.map(JobInstance.slug(for:))
        // Whichever approval job asked for this job's environment, when its gate is the environment's:
        // it ran (a rejection is a failure), since the detection enabled it for a job that runs.
        let approvals = pipeline.approvalStages(askingFor: instance.id).map(\.slug)
        yaml.nest(instance.slug) {
            yaml.entry("name", string: instance.id)
            yaml.wrapped(
                "needs",
                "[\(([GitHubGenerator.detectionJob] + waitsFor + producers + approvals).joined(separator: ", "))]")
            yaml.wrapped("if", jobCondition(instance, checked: waitsFor))
            yaml.entry("runs-on", "ubuntu-latest")
            yaml.entry("timeout-minutes", "\(instance.timeoutMinutes)")
            yaml.nest("permissions") {
                yaml.entry("contents", "read", comment: "check out the repository")
                if !instance.oidc.isEmpty {
                    let clouds = instance.oidc.map { $0.rawValue.uppercased() }.joined(separator: " and ")
                    yaml.entry(
                        "id-token", "write",
                        comment: "exchange GitHub's OIDC token for short-lived \(clouds) credentials")
                }
            }
            if let environment = gitHubEnvironment(instance) {
                switch instance.approval {
                case .job:
                    yaml.comment("Gate: this waits for the required reviewers of the '\(environment)' environment.")
                case .environment(let gated):
                    yaml.comment("'\(gated)' was approved once for this run, at \(gated)-approval.")
                case nil:
                    break
                }
                yaml.entry("environment", string: environment)
            }
            if instance.mutates, let environment = instance.environment {
                yaml.comment(
                    "One change to '\(environment)' at a time; later runs wait in order (up to 100) instead of cancelling each other."
                )
                yaml.nest("concurrency") {
                    yaml.entry("group", string: "slipway-\(environment)")
                    yaml.entry("cancel-in-progress", "false")
                    yaml.entry("queue", "max")
                }
            }
            if let image = instance.image {
                yaml.entry("container", string: image)
            }
            if !instance.produces.isEmpty || recordsSuccessTime(instance) {
                yaml.nest("outputs") {
                    if !instance.produces.isEmpty {
                        yaml.entry("artifact_sha256", "${{ steps.package.outputs.sha256 }}")
                    }
                    if recordsSuccessTime(instance) {
                        yaml.entry("succeeded_at", "${{ steps.succeeded.outputs.time }}")
                    }
                }
            }
            // The spec's own variables are the workflow's `env`; the job's level adds the rest.
            let variables = instance.variables.filter { $0.origin != .spec }
            if !variables.isEmpty {
                yaml.nest("env") {
                    for variable in variables { yaml.entry(variable.name, string: variable.value) }
                }
            }
            yaml.nest("steps") {
                yaml.item {
                    yaml.entry("uses", GitHubActions.checkout.reference)
                    yaml.nest("with") { yaml.entry("persist-credentials", "false") }
                }
                if instance.mutates && converges { outdatedDeployCheck() }
                restoreArtifacts(instance)
                tools(instance)
                oidc(instance)
                runStep(instance)
                if !instance.produces.isEmpty { packageArtifacts(instance) }
                if recordsSuccessTime(instance) {
                    yaml.item {
                        yaml.entry("name", "Record when this job succeeded")
                        yaml.entry("id", "succeeded")
                        yaml.literal("run", "echo \"time=$(date +%s)\" >>\"$GITHUB_OUTPUT\"\n")
                    }
                }
            }
        }
    }

    func restoreArtifacts(_ instance: JobInstance) {
        for producer in instance.receivesFrom.compactMap(pipeline.instance) {
            let directory = "${{ runner.temp }}/slipway-in/\(producer.slug)"
            // A producer that was not selected produced nothing; the job runs without its files.
            let produced = "${{ needs['\(producer.slug)'].result == 'success' }}"
            yaml.item {
                yaml.entry("name", string: "Download what \(producer.id) produced")
                yaml.entry("if", produced)
                yaml.entry("uses", GitHubActions.downloadArtifact.reference)
                yaml.nest("with") {
                    yaml.entry("name", string: "slipway-\(producer.slug)")
                    yaml.entry("path", directory)
                }
            }
            yaml.item {
                yaml.entry("name", string: "Verify and restore what \(producer.id) produced")
                yaml.entry("if", produced)
                yaml.nest("env") {
                    yaml.entry("SLIPWAY_PRODUCER", string: producer.id)
                    yaml.entry("EXPECTED_SHA256", "${{ needs['\(producer.slug)'].outputs.artifact_sha256 }}")
                    yaml.entry("ARCHIVE", "\(directory)/files.tar")
                }
                yaml.literal("run", "eval \"$\(Self.restoreVariable)\"\n")
            }
        }
    }

    func tools(_ instance: JobInstance) {
        guard !instance.tools.isEmpty else { return }
        let names = instance.tools.map { "\($0.name) \($0.version)" }.joined(separator: ", ")
        if instance.installsTools {
            yaml.item {
                yaml.entry("name", "Restore the tool cache")
                yaml.entry("uses", GitHubActions.cache.reference)
                yaml.nest("with") {
                    yaml.entry("path", "\(ToolCacheLayout.root)/\(ToolCacheLayout.downloads)")
                    yaml.entry(
                        "key", "\(ToolCacheLayout.cacheKey(for: instance.tools))-${{ runner.os }}-${{ runner.arch }}")
                }
            }
        }
        yaml.item {
            yaml.entry("name", string: "\(instance.installsTools ? "Install" : "Check") \(names)")
            yaml.literal(
                "run",
                ToolScripts.prepare(
                    instance, in: pipeline,
                    loadFunctions: Self.evaluateToolFunctions(parts: toolFunctionParts.count)))
        }
    }

    func oidc(_ instance: JobInstance) {
        for provider in instance.oidc {
            switch provider {
            case .aws:
                guard let aws = spec.oidc.aws else { continue }
                yaml.item {
                    yaml.entry("uses", GitHubActions.configureAWSCredentials.reference)
                    yaml.nest("with") {
                        yaml.entry("role-to-assume", string: aws.role)
                        yaml.entry("aws-region", string: aws.region)
                        // The action asks for one hour with OIDC; the job may run longer.
                        if instance.timeout > 3600 {
                            yaml.entry(
                                "role-duration-seconds", "\(instance.timeout)",
                                comment: "the role's maximum session duration must allow this")
                        }
                    }
                }
            case .gcp:
                guard let gcp = spec.oidc.gcp else { continue }
                yaml.item {
                    yaml.entry("uses", GitHubActions.googleAuth.reference)
                    yaml.nest("with") {
                        yaml.entry("workload_identity_provider", string: gcp.provider)
                        yaml.entry("service_account", string: gcp.serviceAccount)
                    }
                }
            }
        }
    }

    func runStep(_ instance: JobInstance) {
        yaml.item {
            yaml.entry("name", string: instance.description ?? "Run \(instance.id)")
            if let workdir = instance.workdir { yaml.entry("working-directory", string: workdir) }
            let attempts = instance.attempts
            yaml.nest("env") {
                yaml.entry("SLIPWAY_JOB", string: instance.id)
                if let environment = instance.environment {
                    yaml.entry("SLIPWAY_ENVIRONMENT", string: environment)
                }
                yaml.entry("SLIPWAY_RUN_ID", "${{ github.run_id }}")
                yaml.entry("SLIPWAY_FINGERPRINT", instance.fingerprint)
                for secret in instance.secrets { yaml.entry(secret, "${{ secrets.\(secret) }}") }
                if attempts > 1 { yaml.literal("SLIPWAY_SCRIPT", instance.script) }
            }
            if attempts > 1 {
                yaml.literal(
                    "run",
                    """
                    export SLIPWAY_SUMMARY="$GITHUB_STEP_SUMMARY"
                    for attempt in $(seq 1 \(attempts)); do
                      if bash --noprofile --norc -euo pipefail -c "$SLIPWAY_SCRIPT"; then exit 0; fi
                      echo "::warning::\(instance.id): attempt $attempt of \(attempts) failed"
                    done
                    exit 1

                    """)
            } else {
                yaml.literal("run", "export SLIPWAY_SUMMARY=\"$GITHUB_STEP_SUMMARY\"\n" + instance.script)
            }
        }
    }

    func packageArtifacts(_ instance: JobInstance) {
        let files = instance.produces.map(ChangeDetectionScript.singleQuoted).joined(separator: " ")
        yaml.item {
            yaml.entry("name", "Package what this job produced")
            yaml.entry("id", "package")
            yaml.literal(
                "run",
                """
                mkdir -p "$RUNNER_TEMP/slipway-out"
                tar -cf "$RUNNER_TEMP/slipway-out/files.tar" -- \(files)
                echo "sha256=$(sha256sum "$RUNNER_TEMP/slipway-out/files.tar" | cut -d ' ' -f 1)" >>"$GITHUB_OUTPUT"

                """)
        }
        yaml.item {
            yaml.entry("uses", GitHubActions.uploadArtifact.reference)
            yaml.nest("with") {
                yaml.entry("name", string: "slipway-\(instance.slug)")
                yaml.entry("path", "${{ runner.temp }}/slipway-out/files.tar")
                yaml.entry("if-no-files-found", "error")
                // As long as a gate may wait: GitHub fails a job not approved within 30 days. A
                // repository whose retention setting is lower caps it there.
                yaml.entry("retention-days", "30")
                // A re-run of the job is the same workflow run: without this, upload-artifact v4
                // fails with 409 on the name the first attempt used.
                yaml.entry("overwrite", "true")
            }
        }
    }
}
