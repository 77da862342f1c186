import SlipwayCore

/// Writes `.github/workflows/slipway.yml` from a pipeline.
///
/// GitHub Actions has no per-job path filter, so a first job, `slipway-changes`, runs the
/// `ChangeDetectionScript` and every other job reads its answer in `if:`. Jobs need the transitive
/// closure of what they wait for, so `!contains(needs.*.result, 'failure')` sees a failure anywhere
/// upstream, while a skipped (unselected) upstream job does not stop them. The workflow is hardened:
/// `permissions: {}` with documented least privilege per job, actions pinned to commit SHAs,
/// `persist-credentials: false`, a timeout on every job, no `pull_request_target`, and no `${{ }}`
/// expression inside a script.
public struct GitHubGenerator: Sendable {
    /// The workflow's path in the repository.
    public static let path = ".github/workflows/slipway.yml"
    /// The detection job's key; no spec job may use it.
    static let detectionJob = "slipway-changes"

    /// Creates the generator.
    public init() {}

    /// The workflow for `pipeline`, or the reasons it cannot be generated exactly.
    public func generate(_ pipeline: Pipeline) throws(GeneratorFailure) -> [GeneratedFile] {
        var problems: [Diagnostic] = []
        var reported: Set<String> = []
        for instance in pipeline.instances
        where instance.slug == Self.detectionJob && reported.insert("name \(instance.name)").inserted {
            problems.append(
                Diagnostic(
                    .jobNameReservedForDetection(platform: .github, job: instance.name, name: Self.detectionJob),
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
        if !problems.isEmpty { throw GeneratorFailure(diagnostics: problems) }
        var writer = Writer(pipeline: pipeline)
        return [GeneratedFile(path: Self.path, contents: writer.workflow())]
    }
}

private struct Writer {
    let pipeline: Pipeline
    var yaml = YAMLText()

    var spec: Spec { pipeline.spec }

    /// Everything an instance waits for, transitively: its needs and its promotion predecessors.
    func upstream(of instance: JobInstance) -> [String] {
        var seen: Set<String> = []
        var stack = instance.needs + instance.after
        while let next = stack.popLast() {
            guard seen.insert(next).inserted, let upstream = pipeline.instance(next) else { continue }
            stack += upstream.needs + upstream.after
        }
        return pipeline.executionOrder.filter(seen.contains)
    }

    mutating func workflow() -> String {
        header()
        yaml.line(0, "name: slipway")
        yaml.blank()
        triggers()
        yaml.blank()
        yaml.comment(0, "Every job asks for the permissions it needs below; nothing else is granted.")
        yaml.line(0, "permissions: {}")
        yaml.blank()
        yaml.comment(0, "A newer commit on a pull request cancels the older run; pushes always run to the end.")
        yaml.line(0, "concurrency:")
        yaml.line(2, "group: slipway-${{ github.workflow }}-${{ github.event.pull_request.number || github.sha }}")
        yaml.line(2, "cancel-in-progress: ${{ github.event_name == 'pull_request' }}")
        if !spec.env.isEmpty {
            yaml.blank()
            yaml.line(0, "env:")
            for (name, value) in spec.env { yaml.line(2, "\(name): \(YAMLText.scalar(value))") }
        }
        yaml.blank()
        yaml.line(0, "jobs:")
        detectionJob()
        for id in pipeline.executionOrder {
            guard let instance = pipeline.instance(id) else { continue }
            yaml.blank()
            job(instance)
        }
        return yaml.text
    }

    mutating func header() {
        var lines = GeneratedHeader.lines(.github)
        if !spec.secrets.isEmpty {
            lines.append(
                "Repository secrets to set (Settings > Secrets and variables > Actions): \(spec.secrets.joined(separator: ", "))"
            )
        }
        let environments = gitHubEnvironments()
        if !environments.isEmpty {
            lines.append("Environments (Settings > Environments): \(environments.joined(separator: ", ")).")
            lines.append("Add required reviewers to the gated ones; that is what makes a gate wait for approval.")
        }
        yaml.comment(0, lines.joined(separator: "\n"))
    }

    /// The GitHub environment a job runs in: its deployment environment when it mutates or is
    /// gated, or a dedicated approval environment for a gate without one.
    func gitHubEnvironment(_ instance: JobInstance) -> String? {
        let gated = instance.gate != nil
        if let environment = instance.environment, instance.mutates || gated { return environment }
        return gated ? "\(instance.name)-approval" : nil
    }

    func gitHubEnvironments() -> [String] {
        var seen: Set<String> = []
        return pipeline.instances.compactMap(gitHubEnvironment).filter { seen.insert($0).inserted }
    }

    mutating func triggers() {
        let events = Set(pipeline.instances.flatMap(\.events))
        yaml.line(0, "on:")
        if events.contains(.pullRequest) { yaml.line(2, "pull_request:") }
        if events.contains(.push) {
            yaml.line(2, "push:")
            yaml.line(4, "branches: [\(YAMLText.scalar(spec.defaultBranch))]")
        }
        if events.contains(.manual) { yaml.line(2, "workflow_dispatch:") }
        if events.contains(.schedule) && !spec.schedule.isEmpty {
            yaml.line(2, "schedule:")
            for cron in spec.schedule { yaml.line(4, "- cron: \(YAMLText.quoted(cron))") }
        }
    }

    mutating func detectionJob() {
        yaml.line(2, "\(GitHubGenerator.detectionJob):")
        yaml.line(4, "name: slipway changes")
        yaml.line(4, "runs-on: ubuntu-latest")
        yaml.line(4, "timeout-minutes: 10")
        yaml.line(4, "permissions:")
        yaml.line(6, "contents: read  # read the history to compute the change set")
        yaml.line(4, "outputs:")
        for instance in pipeline.instances {
            yaml.line(6, "\(instance.slug): ${{ steps.detect.outputs['\(instance.slug)'] }}")
        }
        yaml.line(4, "steps:")
        yaml.line(6, "- uses: \(GitHubActions.checkout.reference)")
        yaml.line(8, "with:")
        yaml.comment(10, "The whole history, for merge bases and push ranges.")
        yaml.line(10, "fetch-depth: 0")
        yaml.line(10, "persist-credentials: false")
        yaml.line(6, "- name: Decide which jobs run")
        yaml.line(8, "id: detect")
        yaml.line(8, "shell: bash --noprofile --norc -euo pipefail {0}")
        yaml.line(8, "env:")
        typealias Input = ChangeDetectionScript.Input
        yaml.line(
            10, "\(Input.event): ${{ github.event_name == 'workflow_dispatch' && 'manual' || github.event_name }}")
        yaml.line(10, "\(Input.baseSHA): ${{ github.event.pull_request.base.sha }}")
        yaml.line(10, "\(Input.headSHA): ${{ github.event.pull_request.head.sha }}")
        yaml.line(10, "\(Input.before): ${{ github.event.before }}")
        yaml.line(10, "\(Input.after): ${{ github.sha }}")
        yaml.block(
            8, "run",
            "\(Input.output)=\"$GITHUB_OUTPUT\"\nexport \(Input.output)\n"
                + ChangeDetectionScript(pipeline: pipeline).text)
    }

    mutating func job(_ instance: JobInstance) {
        let waitsFor = upstream(of: instance)
        yaml.line(2, "\(instance.slug):")
        yaml.line(4, "name: \(YAMLText.scalar(instance.id))")
        yaml.line(
            4,
            "needs: [\(([GitHubGenerator.detectionJob] + waitsFor.map(JobInstance.slug(for:))).joined(separator: ", "))]"
        )
        // Runs when selected and nothing upstream failed or was cancelled; an upstream job that
        // was skipped because it was not selected does not hold this one back.
        yaml.line(
            4,
            "if: ${{ !cancelled() && needs.\(GitHubGenerator.detectionJob).outputs['\(instance.slug)'] == 'true'"
                + " && !contains(needs.*.result, 'failure') && !contains(needs.*.result, 'cancelled') }}")
        yaml.line(4, "runs-on: ubuntu-latest")
        yaml.line(4, "timeout-minutes: \(instance.timeoutMinutes)")
        yaml.line(4, "permissions:")
        yaml.line(6, "contents: read  # check out the repository")
        if !instance.oidc.isEmpty {
            let clouds = instance.oidc.map { $0.rawValue.uppercased() }.joined(separator: " and ")
            yaml.line(6, "id-token: write  # exchange GitHub's OIDC token for short-lived \(clouds) credentials")
        }
        if let environment = gitHubEnvironment(instance) {
            if instance.gate != nil {
                yaml.comment(4, "Gate: this waits for the required reviewers of the '\(environment)' environment.")
            }
            yaml.line(4, "environment: \(YAMLText.scalar(environment))")
        }
        if instance.mutates, let environment = instance.environment {
            yaml.comment(
                4, "One change to '\(environment)' at a time; a queued run waits instead of cancelling a running apply."
            )
            yaml.line(4, "concurrency:")
            yaml.line(6, "group: \(YAMLText.scalar("slipway-\(environment)"))")
            yaml.line(6, "cancel-in-progress: false")
        }
        if let image = instance.image {
            yaml.line(4, "container: \(YAMLText.scalar(image))")
        }
        if !instance.produces.isEmpty {
            yaml.line(4, "outputs:")
            yaml.line(6, "artifact_sha256: ${{ steps.package.outputs.sha256 }}")
        }
        // The spec's own variables are the workflow's `env`; the job's level adds the rest.
        let variables = instance.variables.filter { $0.origin != .spec }
        if !variables.isEmpty {
            yaml.line(4, "env:")
            for variable in variables { yaml.line(6, "\(variable.name): \(YAMLText.scalar(variable.value))") }
        }
        yaml.line(4, "steps:")
        yaml.line(6, "- uses: \(GitHubActions.checkout.reference)")
        yaml.line(8, "with:")
        yaml.line(10, "persist-credentials: false")
        restoreArtifacts(instance)
        tools(instance)
        oidc(instance)
        runStep(instance)
        if !instance.produces.isEmpty { packageArtifacts(instance) }
    }

    mutating func restoreArtifacts(_ instance: JobInstance) {
        for producer in instance.receivesFrom.compactMap(pipeline.instance) {
            let directory = "${{ runner.temp }}/slipway-in/\(producer.slug)"
            yaml.line(6, "- name: \(YAMLText.scalar("Download what \(producer.id) produced"))")
            // A producer that was not selected produced nothing; the job runs without its files.
            yaml.line(8, "if: ${{ needs['\(producer.slug)'].result == 'success' }}")
            yaml.line(8, "uses: \(GitHubActions.downloadArtifact.reference)")
            yaml.line(8, "with:")
            yaml.line(10, "name: \(YAMLText.scalar("slipway-\(producer.slug)"))")
            yaml.line(10, "path: \(directory)")
            yaml.line(6, "- name: \(YAMLText.scalar("Verify and restore what \(producer.id) produced"))")
            yaml.line(8, "if: ${{ needs['\(producer.slug)'].result == 'success' }}")
            yaml.line(8, "shell: bash --noprofile --norc -euo pipefail {0}")
            yaml.line(8, "env:")
            yaml.line(10, "EXPECTED_SHA256: ${{ needs['\(producer.slug)'].outputs.artifact_sha256 }}")
            yaml.line(10, "ARCHIVE: \(directory)/files.tar")
            yaml.block(
                8, "run",
                """
                actual=$(sha256sum "$ARCHIVE" | cut -d ' ' -f 1)
                if [[ "$actual" != "$EXPECTED_SHA256" ]]; then
                  echo "::error title=Artifact altered::the files \(producer.id) produced do not match the SHA-256 it recorded (expected $EXPECTED_SHA256, got $actual); re-run the pipeline from \(producer.id)"
                  exit 1
                fi
                tar -xf "$ARCHIVE"

                """)
        }
    }

    mutating func tools(_ instance: JobInstance) {
        for pinned in instance.tools {
            let (tool, version) = (pinned.name, pinned.version)
            if tool == "terraform" {
                yaml.line(6, "- uses: \(GitHubActions.setupTerraform.reference)")
                yaml.line(8, "with:")
                yaml.line(10, "terraform_version: \(YAMLText.scalar(version))")
                yaml.line(10, "terraform_wrapper: false")
                continue
            }
            yaml.line(6, "- name: \(YAMLText.scalar("Check \(tool) \(version)"))")
            yaml.line(8, "shell: bash --noprofile --norc -euo pipefail {0}")
            let arguments = pinned.versionArguments
            yaml.block(
                8, "run",
                """
                if ! command -v \(tool) >/dev/null; then
                  echo "::error title=\(tool) missing::slipway.yml pins \(tool) \(version), but this runner has no \(tool); install it in the job's image or runner"
                  exit 1
                fi
                found=$(\(tool) \(arguments) 2>&1 || true)
                if [[ "$found" != *\(ChangeDetectionScript.singleQuoted(version))* ]]; then
                  echo "::error title=\(tool) version::slipway.yml pins \(tool) \(version), but the runner has: $found"
                  exit 1
                fi

                """)
        }
    }

    mutating func oidc(_ instance: JobInstance) {
        for provider in instance.oidc {
            switch provider {
            case .aws:
                guard let aws = spec.oidc.aws else { continue }
                yaml.line(6, "- uses: \(GitHubActions.configureAWSCredentials.reference)")
                yaml.line(8, "with:")
                yaml.line(10, "role-to-assume: \(YAMLText.scalar(aws.role))")
                yaml.line(10, "aws-region: \(YAMLText.scalar(aws.region))")
            case .gcp:
                guard let gcp = spec.oidc.gcp else { continue }
                yaml.line(6, "- uses: \(GitHubActions.googleAuth.reference)")
                yaml.line(8, "with:")
                yaml.line(10, "workload_identity_provider: \(YAMLText.scalar(gcp.provider))")
                yaml.line(10, "service_account: \(YAMLText.scalar(gcp.serviceAccount))")
            }
        }
    }

    mutating func runStep(_ instance: JobInstance) {
        yaml.line(6, "- name: \(YAMLText.scalar(instance.description ?? "Run \(instance.id)"))")
        yaml.line(8, "shell: bash --noprofile --norc -euo pipefail {0}")
        if let workdir = instance.workdir { yaml.line(8, "working-directory: \(YAMLText.scalar(workdir))") }
        yaml.line(8, "env:")
        yaml.line(10, "SLIPWAY_JOB: \(YAMLText.scalar(instance.id))")
        if let environment = instance.environment {
            yaml.line(10, "SLIPWAY_ENVIRONMENT: \(YAMLText.scalar(environment))")
        }
        yaml.line(10, "SLIPWAY_EVENT: ${{ github.event_name == 'workflow_dispatch' && 'manual' || github.event_name }}")
        yaml.line(10, "SLIPWAY_RUN_ID: ${{ github.run_id }}")
        yaml.line(10, "SLIPWAY_FINGERPRINT: \(instance.fingerprint)")
        for secret in instance.secrets { yaml.line(10, "\(secret): ${{ secrets.\(secret) }}") }
        let attempts = instance.attempts
        if attempts > 1 {
            yaml.block(10, "SLIPWAY_SCRIPT", instance.script)
            yaml.block(
                8, "run",
                """
                export SLIPWAY_SUMMARY="$GITHUB_STEP_SUMMARY"
                for attempt in $(seq 1 \(attempts)); do
                  if bash --noprofile --norc -euo pipefail -c "$SLIPWAY_SCRIPT"; then exit 0; fi
                  echo "::warning::\(instance.id): attempt $attempt of \(attempts) failed"
                done
                exit 1

                """)
        } else {
            yaml.block(8, "run", "export SLIPWAY_SUMMARY=\"$GITHUB_STEP_SUMMARY\"\n" + instance.script)
        }
    }

    mutating func packageArtifacts(_ instance: JobInstance) {
        let files = instance.produces.map(ChangeDetectionScript.singleQuoted).joined(separator: " ")
        yaml.line(6, "- name: Package what this job produced")
        yaml.line(8, "id: package")
        yaml.line(8, "shell: bash --noprofile --norc -euo pipefail {0}")
        yaml.block(
            8, "run",
            """
            mkdir -p "$RUNNER_TEMP/slipway-out"
            tar -cf "$RUNNER_TEMP/slipway-out/files.tar" -- \(files)
            echo "sha256=$(sha256sum "$RUNNER_TEMP/slipway-out/files.tar" | cut -d ' ' -f 1)" >>"$GITHUB_OUTPUT"

            """)
        yaml.line(6, "- uses: \(GitHubActions.uploadArtifact.reference)")
        yaml.line(8, "with:")
        yaml.line(10, "name: \(YAMLText.scalar("slipway-\(instance.slug)"))")
        yaml.line(10, "path: ${{ runner.temp }}/slipway-out/files.tar")
        yaml.line(10, "if-no-files-found: error")
        yaml.line(10, "retention-days: 7")
    }
}
