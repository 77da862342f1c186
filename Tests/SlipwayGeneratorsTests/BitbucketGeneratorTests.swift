import Foundation
import SlipwayCore
import SlipwayGenerators
import SlipwayRunner
import SlipwayTesting
import Testing
import Yams

private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

private func example(_ name: String) throws -> Pipeline {
    if name.hasPrefix("kkp-") { return try KKPFixtures.pipeline(named: name) }
    if name.hasPrefix("kops-") { return try KOpsFixtures.pipeline(named: name) }
    let result = SpecValidator.pipeline(path: "\(repositoryRoot)/examples/\(name)/slipway.yml")
    return try #require(result.pipeline, "\(result.diagnostics)")
}

/// The steps of one Bitbucket pipeline section, with the script each step writes and runs.
private func steps(_ text: String, section: [String]) throws -> [(name: String, script: String, step: [String: Any])] {
    let document = try #require(try Yams.load(yaml: text) as? [String: Any])
    var node: Any? = document["pipelines"]
    for key in section { node = (node as? [String: Any])?[key] }
    let items = try #require(node as? [[String: Any]], "no pipeline at \(section)")
    // A custom pipeline's first item may declare its variables instead of a step.
    return try items.filter { $0["step"] != nil }.map { item in
        let step = try #require(item["step"] as? [String: Any])
        let lines = try #require(step["script"] as? [String])
        let embedded = try #require(lines.first)
        // The first line writes the script with a quoted here-document; the last runs it; between
        // them, a step writes the tool functions if it runs pinned tools, and the mark function if
        // it records marks (the same item each time).
        var body = embedded.split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
        while let last = body.last, last.isEmpty || last == "SLIPWAY_STEP_EOF" { body = body.dropLast() }
        #expect(lines.last?.hasPrefix("bash --noprofile --norc -euo pipefail") == true)
        #expect(
            lines.dropFirst().dropLast().allSatisfy {
                $0.contains("slipway_install() {") || $0.contains("slipway_mark() {")
            }
        )
        return (step["name"] as? String ?? "", body.joined(separator: "\n") + "\n", step)
    }
}

@Suite struct BitbucketGeneratorTests {
    @Test(arguments: ["kkp", "kops"])
    func goldenConfigurations(name: String) throws {
        let files = try BitbucketGenerator().generate(try example(name))
        #expect(files.map(\.path) == ["bitbucket-pipelines.yml"])
        if let difference = Snapshot.compare(
            files[0].contents, fixture: "bitbucket-\(name)", name: "bitbucket-pipelines.yml")
        {
            Issue.record(Comment(rawValue: difference))
        }
    }

    @Test func refusalsPointAtTheScriptAndTheJobs() throws {
        let marked = MarkedText(
            """
            version: 1
            ⟨jobs⟩jobs:
              embed:
                paths: ["**"]
                run: ⟨run⟩|
                  cat <<SLIPWAY_STEP_EOF
                  hello
                  SLIPWAY_STEP_EOF
            """
                + (1...100).map { "\n  job-\($0):\n    on: [push]\n    paths: [\"src/\($0)/**\"]\n    run: \"true\"" }
                .joined())
        let pipeline = try #require(SpecValidator.pipeline(text: marked.text, file: marked.file).pipeline)
        let diagnostics = refusal(.bitbucket, pipeline, "a delimiter line and 102 push steps must be refused")
        #expect(
            diagnostics == [
                Diagnostic(
                    .scriptHasEmbeddingDelimiter(platform: .bitbucket, job: "embed", line: "SLIPWAY_STEP_EOF"),
                    at: marked.location("run")),
                Diagnostic(
                    .tooManySteps(platform: .bitbucket, event: .push, steps: 102, limit: 100),
                    at: marked.location("jobs")),
            ])
    }

    @Test func structure() throws {
        let text = try BitbucketGenerator().generate(try example("kops"))[0].contents
        let push = try steps(text, section: ["branches", "main"])
        #expect(push.first?.name == "slipway changes")
        // The detection, twelve jobs, and an approval step before each of prod's three that change it.
        #expect(push.count == 16)
        let updateProd = try #require(push.first { $0.name == "update@prod" })
        #expect((updateProd.step["condition"] as? [String: Any])?["state"] as? String == "SLIPWAY_RUN_8 == true")
        // prod's gate asks at the approval step before the first of the run's prod steps, not here.
        #expect(updateProd.step["trigger"] == nil)
        let names = push.map(\.name)
        let approval = try #require(names.firstIndex(of: "update@prod")).advanced(by: -1)
        #expect(push[approval].name == "approve prod")
        #expect(push[approval].step["trigger"] as? String == "manual")
        #expect(
            (push[approval].step["condition"] as? [String: Any])?["state"] as? String == "SLIPWAY_APPROVE_8 == true")
        // The first step that changes prod names the deployment; later ones share its queue.
        let firstProd = try #require(push.first { $0.step["deployment"] as? String == "prod" })
        #expect(firstProd.name == "replace@prod")
        #expect(updateProd.step["deployment"] == nil)
        #expect(updateProd.step["concurrency-group"] as? String == "slipway-prod")
        // A pull request pipeline has only the steps that take part in pull requests.
        let pullRequest = try steps(text, section: ["pull-requests", "**"])
        #expect(pullRequest.map(\.name) == ["slipway changes", "template@dev", "template@staging", "template@prod"])
        // The first step is never manual (Bitbucket refuses that).
        #expect(push.first?.step["trigger"] == nil)
    }

    /// The detection step of pull requests, run as Bitbucket runs it (its variables, a full clone),
    /// selects what `slipway plan` selects from the pull request's merge base.
    @Test func pullRequestDetectionAgreesWithThePlanner() async throws {
        var generator = SeededGenerator(seed: 0xB17B_0C4E)
        for _ in 0..<12 {
            let spec = randomSpec(using: &generator)
            let pipeline = try #require(SpecValidator.pipeline(text: spec).pipeline)
            let text = try BitbucketGenerator().generate(pipeline)[0].contents
            let history = try await RandomHistory.make(using: &generator)
            let repository = history.repository
            defer { repository.remove() }
            let (head, moved, resolver) = (history.head, history.moved, history.resolver)
            let changes = try await resolver.pullRequest(base: moved, head: head)
            guard let detection = try? steps(text, section: ["pull-requests", "**"]).first else {
                // No job takes part in pull requests, so there is no pipeline for them.
                #expect(Planner().plan(pipeline, event: .pullRequest, changes: changes).selected.isEmpty)
                continue
            }
            try repository.directory.write(".slipway-test/step.sh", detection.script)
            let output = "\(repository.path)/.slipway-test/variables"
            let result = try await run(
                "bash", ["--noprofile", "--norc", "-euo", "pipefail", ".slipway-test/step.sh"], in: repository.path,
                environment: [
                    "BITBUCKET_PIPELINES_VARIABLES_PATH": output, "BITBUCKET_PR_DESTINATION_COMMIT": moved,
                    "BITBUCKET_COMMIT": head,
                ])
            try #require(result.status == 0, "\(result.standardError)")
            let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
            try FileManager.default.removeItem(atPath: "\(repository.path)/.slipway-test")
            let selected = Set(Planner().plan(pipeline, event: .pullRequest, changes: changes).selectedIDs)
            let expected = Set(
                pipeline.instances.enumerated().map { index, instance in
                    "SLIPWAY_RUN_\(index)=\(selected.contains(instance.id))"
                })
            #expect(Set(lines.map(String.init)) == expected, "changed=\(changes.paths)\n\(spec)")
        }
    }

    /// A producer step records checksums; a consumer step verifies them and names the producer
    /// when a file was altered.
    @Test func artifactsAreVerifiedByTheConsumer() async throws {
        let text = """
            version: 1
            jobs:
              build:
                paths: ["**"]
                produces: [out/plan.bin]
                run: |
                  mkdir -p out
                  echo reviewed > out/plan.bin
              apply:
                paths: ["**"]
                needs: [build]
                run: cat out/plan.bin
            """
        let pipeline = try #require(SpecValidator.pipeline(text: text).pipeline)
        let file = try BitbucketGenerator().generate(pipeline)[0].contents
        let pipelineSteps = try steps(file, section: ["pull-requests", "**"])
        let build = try #require(pipelineSteps.first { $0.name == "build" })
        let apply = try #require(pipelineSteps.first { $0.name == "apply" })
        let workspace = try TemporaryDirectory()
        defer { workspace.remove() }
        try workspace.write(".steps/build.sh", build.script)
        try workspace.write(".steps/apply.sh", apply.script)
        let variables = "\(workspace.path)/.steps/variables"
        let produced = try await run(
            "bash", [".steps/build.sh"], in: workspace.path,
            environment: ["BITBUCKET_PIPELINES_VARIABLES_PATH": variables])
        try #require(produced.status == 0, "\(produced.standardError)")
        let digestLine = try String(contentsOfFile: variables, encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        let digest = try #require(digestLine.split(separator: "=").last.map(String.init))
        #expect(digestLine.hasPrefix("SLIPWAY_SHA256_0="))

        let consumed = try await run(
            "bash", [".steps/apply.sh"], in: workspace.path, environment: ["SLIPWAY_SHA256_0": digest])
        #expect(consumed.status == 0, "\(consumed.standardError)")
        #expect(consumed.standardOutput.contains("reviewed"))

        // What travels between steps is the producer's copy; alter it on the way.
        try workspace.write(".slipway/artifacts/build/files/out/plan.bin", "tampered\n")
        let tampered = try await run(
            "bash", [".steps/apply.sh"], in: workspace.path, environment: ["SLIPWAY_SHA256_0": digest])
        #expect(tampered.status == 1)
        #expect(tampered.standardError.contains("a file build produced was altered"))
        #expect(!tampered.standardOutput.contains("tampered"))

        // The files arrived but their recorded checksum did not (expired, or lost on the way):
        // the consumer stops rather than use them unverified.
        let unverified = try await run("bash", [".steps/apply.sh"], in: workspace.path)
        #expect(unverified.status == 1)
        #expect(
            unverified.standardError.contains(
                "error: build's files are here but the checksum it recorded is not (expired, or not passed on); re-run the pipeline from build"
            ))
        #expect(!unverified.standardOutput.contains("tampered"))
    }
}

/// Bitbucket's step model, from its documentation (docs/platforms.md).
///
/// Steps run one after another,
/// each in a fresh clone; a step whose `condition: state:` is false is skipped; output variables a
/// step declares reach every later step; and every earlier step's artifacts are restored into every
/// later step, at their paths, a later artifact over an earlier one. A manual step whose condition
/// holds pauses the pipeline until someone runs it; the model runs it, and records that it asked.
struct BitbucketStepModel {
    /// What happened to each step, in order: `succeeded`, `failed` or `skipped`, with its output,
    /// and the manual steps that asked to be run.
    struct Outcome {
        var status: [String: String] = [:]
        var output: [String: String] = [:]
        var asked: [String] = []
    }

    let steps: [(name: String, script: String, step: [String: Any])]
    let clone: String
    let environment: [String: String]

    func execute() async throws -> Outcome {
        let store = try TemporaryDirectory(prefix: "bitbucket-artifacts")
        defer { store.remove() }
        var variables: [String: String] = [:]
        var outcome = Outcome()
        for (index, (name, script, step)) in steps.enumerated() {
            if let state = (step["condition"] as? [String: Any])?["state"] as? String {
                let parts = state.components(separatedBy: " == ")
                if variables[parts[0]] != parts[1] {
                    outcome.status[name] = "skipped"
                    continue
                }
            }
            if step["trigger"] as? String == "manual" { outcome.asked.append(name) }
            let workspace = try TemporaryDirectory(prefix: "bitbucket-step")
            defer { workspace.remove() }
            // A fresh clone, then every earlier artifact.
            _ = try await SlipwayGeneratorsTests.run("cp", ["-a", "\(clone)/.", workspace.path], in: workspace.path)
            _ = try await SlipwayGeneratorsTests.run(
                "cp", ["-a", "\(store.path)/.", workspace.path], in: workspace.path)
            // The step's script items run one after another in one shell, as Bitbucket runs them:
            // the here-document that writes the step's script, the shared functions, then bash.
            let items = (step["script"] as? [String]) ?? []
            try workspace.write(".step-\(index).sh", items.isEmpty ? script : items.joined(separator: "\n"))
            var environment: [String: String?] = self.environment.mapValues { $0 }
            for (key, value) in variables { environment[key] = value }
            environment["BITBUCKET_PIPELINES_VARIABLES_PATH"] = "\(workspace.path)/.step-variables"
            // Each step has a build container of its own: its own temporary directory.
            try FileManager.default.createDirectory(atPath: "\(workspace.path)/.tmp", withIntermediateDirectories: true)
            environment["TMPDIR"] = "\(workspace.path)/.tmp"
            let result = try await SlipwayGeneratorsTests.run(
                "bash", ["-e", ".step-\(index).sh"], in: workspace.path, environment: environment)
            outcome.output[name] = result.standardOutput + result.standardError
            guard result.status == 0 else {
                outcome.status[name] = "failed"
                break
            }
            outcome.status[name] = "succeeded"
            let declared = Set((step["output-variables"] as? [String]) ?? [])
            if let text = try? String(contentsOfFile: "\(workspace.path)/.step-variables", encoding: .utf8) {
                for line in text.split(separator: "\n") {
                    let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                    if parts.count == 2, declared.contains(parts[0]) { variables[parts[0]] = parts[1] }
                }
            }
            // Artifacts: an exact path, or a directory's tree (`dir/**`).
            for pattern in (step["artifacts"] as? [String]) ?? [] {
                let path = pattern.hasSuffix("/**") ? String(pattern.dropLast(3)) : pattern
                guard FileManager.default.fileExists(atPath: "\(workspace.path)/\(path)") else { continue }
                let parent = (path as NSString).deletingLastPathComponent
                try FileManager.default.createDirectory(
                    atPath: "\(store.path)/\(parent)", withIntermediateDirectories: true)
                _ = try await run(
                    "cp", ["-a", "\(workspace.path)/\(path)", "\(store.path)/\(parent)/"], in: workspace.path)
            }
        }
        return outcome
    }
}

/// Bitbucket rejects at run time a pipeline that names one deployment environment on several
/// steps ("The deployment environment 'production' … occurs multiple times in the pipeline",
/// bitbucket.org/site/master/issues/18931), which its schema does not catch.
@Suite struct BitbucketDeploymentTests {
    @Test(arguments: ["kkp", "kops", "kkp-init-bitbucket", "kkp-adopted-bitbucket", "kops-init-bitbucket"])
    func eachPipelineNamesEachDeploymentEnvironmentOnce(name: String) throws {
        let pipeline = try example(name)
        let file = try BitbucketGenerator().generate(pipeline)[0].contents
        for section in [["branches", "main"], ["pull-requests", "**"]] {
            let pipelineSteps = try steps(file, section: section)
            let deployments = pipelineSteps.compactMap { $0.step["deployment"] as? String }
            #expect(Set(deployments).count == deployments.count, "\(name) \(section): \(deployments)")
            // Every step that changes an environment still queues behind the others.
            for (stepName, _, step) in pipelineSteps {
                guard let instance = pipeline.instance(stepName), instance.mutates,
                    let environment = instance.environment
                else { continue }
                #expect(step["concurrency-group"] as? String == "slipway-\(environment)", "\(stepName)")
            }
        }
        // The examples change each of their environments in more than one step.
        let mutating = pipeline.instances.filter(\.mutates).compactMap(\.environment)
        if !name.hasPrefix("kops-init") { #expect(mutating.count > Set(mutating).count) }
        // An environment's gate asks at its approval steps only (one runs per run); a job's own
        // gate at the job's step.
        for (stepName, _, step) in try steps(file, section: ["branches", "main"]) {
            let manual = step["trigger"] as? String == "manual"
            if stepName.hasPrefix("approve ") {
                #expect(manual)
            } else if let instance = pipeline.instance(stepName) {
                let ownGate: Bool
                if case .job = instance.approval { ownGate = true } else { ownGate = false }
                #expect(manual == ownGate, "\(name): \(stepName)")
            }
        }
    }
}

@Suite struct BitbucketArtifactTests {
    /// dev's and prod's renders both produce out/cluster.yaml; each environment's replace must get
    /// its own, although Bitbucket restores every earlier artifact into every later step.
    @Test func perEnvironmentProducersOfOnePathReachTheirOwnConsumers() async throws {
        let spec = """
            version: 1
            environments: [dev, prod]
            jobs:
              render:
                environment: each
                paths: ["clusters/{environment}/**"]
                produces: [out/cluster.yaml]
                run: mkdir -p out && echo "cluster $SLIPWAY_ENVIRONMENT" >out/cluster.yaml
              replace:
                on: [push]
                environment: each
                mutates: true
                needs: [render]
                paths: ["clusters/{environment}/**"]
                run: grep -qx "cluster $SLIPWAY_ENVIRONMENT" out/cluster.yaml && echo "replaced with $(cat out/cluster.yaml)"
            """
        let pipeline = try #require(SpecValidator.pipeline(text: spec).pipeline)
        let file = try BitbucketGenerator().generate(pipeline)[0].contents
        let remote = try await MarkedRepository.make(files: ["clusters/dev/values.yaml", "clusters/prod/values.yaml"])
        defer { remote.remove() }
        let repository = remote.repository
        try repository.write("clusters/dev/values.yaml", "bigger\n")
        try repository.write("clusters/prod/values.yaml", "bigger\n")
        let head = try await repository.commit("both environments")
        try await repository.git("push", "--quiet", "origin", "main")
        let model = BitbucketStepModel(
            steps: try steps(file, section: ["branches", "main"]), clone: repository.path,
            environment: ["BITBUCKET_COMMIT": head, "BITBUCKET_BRANCH": "main"].merging(remote.ciEnvironment()) { $1 })
        let outcome = try await model.execute()
        #expect(
            outcome.status == [
                "slipway changes": "succeeded", "render@dev": "succeeded", "render@prod": "succeeded",
                "replace@dev": "succeeded", "replace@prod": "succeeded",
            ], "\(outcome.output)")
        #expect(outcome.output["replace@dev"]?.contains("replaced with cluster dev") == true)
        #expect(outcome.output["replace@prod"]?.contains("replaced with cluster prod") == true)
    }
}

/// A kOps repository pushed to `main` and run through Bitbucket's step model: each step installs
/// kOps (the recording stand-in, served as the pinned release from a mirror on loopback) and uses a
/// state store in moto (bucket `acme-kops-state`).
private struct KOpsOnBitbucket {
    /// What the steps did, the stand-in's calls, and each cluster's `config` in the state store.
    struct Result {
        var outcome: BitbucketStepModel.Outcome
        var calls: String
        var configs: [String: String]
    }

    /// Runs `files` (with their `slipway.yml`) on a push; `stateKeys` are the state store's keys to
    /// read back afterwards.
    static func push(_ files: [GeneratedFile], stateKeys: [String]) async throws -> Result {
        var files = files
        let server = try await ReleaseServer(repository: repositoryRoot)
        let release = "github.com/kubernetes/kops/releases/download/v1.31.0/kops-linux-amd64"
        try server.file(
            release, try String(contentsOfFile: "\(repositoryRoot)/Tests/Fixtures/kops-stand-in/kops", encoding: .utf8))
        // The stand-in's digest for kOps; the aws CLI is this machine's, not installed by the steps.
        let specIndex = try #require(files.firstIndex { $0.path == "slipway.yml" })
        files[specIndex].contents = files[specIndex].contents
            .replacing(#/linux-amd64: [0-9a-f]{64}/#, with: "linux-amd64: \(try server.sha256(release))")
            .replacingOccurrences(of: "  aws: 2.17.0\n", with: "")
        let pipeline = try #require(SpecValidator.pipeline(text: files[specIndex].contents).pipeline)
        let file = try BitbucketGenerator().generate(pipeline)[0].contents

        let (remote, head) = try await MarkedRepository.pushing(
            files + [GeneratedFile(path: "bitbucket-pipelines.yml", contents: file)], message: "kOps clusters")
        let home = try TemporaryDirectory(prefix: "kops-home")
        defer {
            remote.remove()
            home.remove()
        }
        try KOpsFixtures.installStandIn(
            in: home, repository: repositoryRoot, log: "\(home.path)/log", state: "\(home.path)/state",
            settings: ".kops-stand-in.json", binary: false)

        let result = try await MotoServer.with(repository: repositoryRoot) { moto in
            var environment = moto.environment()
            let store = try await SlipwayGeneratorsTests.run(
                "aws",
                [
                    "s3api", "create-bucket", "--bucket", "acme-kops-state", "--create-bucket-configuration",
                    "LocationConstraint=eu-central-1",
                ], in: home.path, environment: environment.mapValues { $0 })
            try #require(store.status == 0, "\(store.standardError)")
            environment.merge(remote.ciEnvironment()) { $1 }
            environment["PATH"] =
                remote.ciEnvironment()["PATH"]!.replacingOccurrences(of: ":/usr/bin:/bin", with: "")
                + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            environment["HOME"] = home.path
            environment["SLIPWAY_TOOL_MIRROR"] = server.mirror
            environment["BITBUCKET_COMMIT"] = head
            environment["BITBUCKET_BRANCH"] = "main"
            environment["BITBUCKET_REPO_FULL_NAME"] = pipeline.spec.repository ?? "acme/clusters"
            let model = BitbucketStepModel(
                steps: try steps(file, section: ["branches", "main"]), clone: remote.repository.path,
                environment: environment)
            let outcome = try await model.execute()
            var configs: [String: String] = [:]
            for key in stateKeys {
                let config = try await SlipwayGeneratorsTests.run(
                    "aws", ["s3", "cp", "s3://acme-kops-state/\(key)", "-"], in: home.path,
                    environment: moto.environment().mapValues { $0 })
                if config.status == 0 { configs[key] = config.standardOutput }
            }
            return Result(
                outcome: outcome, calls: try String(contentsOfFile: "\(home.path)/log", encoding: .utf8),
                configs: configs)
        }
        await server.stop()
        return result
    }
}

/// Every earlier artifact reaches every later Bitbucket step: kOps repositories whose clusters'
/// renders produce files run on a push touching every cluster, and each cluster is deployed with
/// its own manifest.
@Suite struct BitbucketKOpsTests {
    /// The repository `init --preset kops` writes for Bitbucket.
    @Test(.timeLimit(.minutes(10))) func theBundleDeploysEveryClusterWithItsOwnManifest() async throws {
        let (_, git, extra) = try #require(KOpsFixtures.variants.first { $0.name == "kops-init-bitbucket" })
        let clusters = ["dev", "staging", "prod"]
        let result = try await KOpsOnBitbucket.push(
            try KOpsFixtures.repository(git: git, extra: extra),
            stateKeys: clusters.map { "clusters/\($0).k8s.example.com/config" })
        var expected = ["slipway changes": "succeeded"]
        for job in ["render", "dry-run", "deploy"] {
            for cluster in clusters { expected["\(job)@\(cluster)"] = "succeeded" }
        }
        // This variant gates no cluster: nothing asks.
        #expect(result.outcome.asked.isEmpty)
        #expect(
            result.outcome.status == expected,
            "\(result.outcome.output.sorted { $0.key < $1.key }.map { "\($0): \($1.suffix(1500))" })")
        for cluster in clusters {
            #expect(
                result.calls.contains(
                    "kops replace --force -f out/\(cluster)/cluster.yaml [state=s3://acme-kops-state/clusters]"),
                "\(result.calls)")
            let config = result.configs["clusters/\(cluster).k8s.example.com/config"] ?? ""
            #expect(config.contains("name: \(cluster).k8s.example.com"), "\(cluster): \(config)")
        }
    }

    /// examples/kops, whose three renders all produce `out/cluster.yaml`: each environment's
    /// replace gets its own environment's file, not the last one restored.
    @Test(.timeLimit(.minutes(10))) func theExampleDeploysEveryEnvironmentWithItsOwnManifest() async throws {
        let environments = ["dev", "staging", "prod"]
        var files = [
            GeneratedFile(
                path: "slipway.yml",
                contents: try String(contentsOfFile: "\(repositoryRoot)/examples/kops/slipway.yml", encoding: .utf8)),
            GeneratedFile(
                path: "templates/cluster.yaml",
                contents:
                    "apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: {{ .clusterName }}\nspec:\n  kubernetesVersion: 1.31.4\n"
            ),
        ]
        for environment in environments {
            files.append(
                GeneratedFile(
                    path: "clusters/\(environment)/values.yaml", contents: "clusterName: \(environment).k8s.acme.dev\n")
            )
        }
        let result = try await KOpsOnBitbucket.push(
            files, stateKeys: environments.map { "\($0).k8s.acme.dev/config" })
        for job in ["template", "replace", "update", "rolling-update"] {
            for environment in environments {
                #expect(
                    result.outcome.status["\(job)@\(environment)"] == "succeeded",
                    "\(job)@\(environment): \(result.outcome.output["\(job)@\(environment)"]?.suffix(1500) ?? "")")
            }
        }
        // prod's gate asked once, for its three changing steps.
        #expect(result.outcome.asked == ["approve prod"], "\(result.outcome.asked)")
        for environment in environments {
            let config = result.configs["\(environment).k8s.acme.dev/config"] ?? ""
            #expect(config.contains("name: \(environment).k8s.acme.dev"), "\(environment): \(config)")
            #expect(result.calls.contains("kops update cluster --name \(environment).k8s.acme.dev --yes"))
        }
    }
}

/// The KKP repository `init --preset kkp` writes for Bitbucket (AWS, static keys, a Route53 zone),
/// run through the step model on its first push: every step in a fresh clone with every earlier
/// artifact restored, against moto over TLS, with real terraform (the aws provider from the
/// machine's mirror) and the aws CLI, and the recording stand-ins for kubeone,
/// kubermatic-installer, helm, kubectl and flux on `PATH` (Tests/Fixtures/kkp-stand-ins).
@Suite struct BitbucketKKPTests {
    /// With static keys as repository variables, and with OIDC: each step then writes Bitbucket's
    /// token to a file and the aws CLI and Terraform assume the role through STS (moto's) themselves.
    @Test(.timeLimit(.minutes(20)), arguments: [false, true])
    func theBundleDeploysThroughEveryStep(oidc: Bool) async throws {
        var extra = ["route53-zone": "example.com"]
        if oidc { extra["aws-role"] = "arn:aws:iam::123456789012:role/kkp-ci" }
        var files = try KKPFixtures.repository(git: .bitbucket, extra: extra)
        // The tools are this machine's and the stand-ins, on PATH: no pin, nothing to install.
        let specIndex = try #require(files.firstIndex { $0.path == "slipway.yml" })
        files[specIndex].contents = files[specIndex].contents.replacing(
            #/\ntools:\n(  .*\n)+/#, with: "\n")
        for backend in ["terraform/aws/backend.hcl", "terraform/aws/dns/backend.hcl"] {
            let index = try #require(files.firstIndex { $0.path == backend })
            files[index].contents += "use_path_style = true\n"
        }
        let pipeline = try #require(
            SpecValidator.pipeline(text: files[specIndex].contents).pipeline,
            "\(files[specIndex].contents.prefix(3000))")
        let file = try BitbucketGenerator().generate(pipeline)[0].contents

        let (remote, head) = try await MarkedRepository.pushing(
            files + [GeneratedFile(path: "bitbucket-pipelines.yml", contents: file)], message: "KKP on AWS")
        let repository = remote.repository
        let work = try TemporaryDirectory(prefix: "kkp-bitbucket")
        defer {
            remote.remove()
            work.remove()
        }

        try KKPFixtures.installStandIns(in: work, repository: repositoryRoot)
        _ = try await SlipwayGeneratorsTests.run(
            "ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", "\(work.path)/key"], in: work.path)
        let privateKey = try String(contentsOfFile: "\(work.path)/key", encoding: .utf8)

        try await MotoServer.with(repository: repositoryRoot, tls: true) { moto in
            var environment = moto.environment()
            let zone = try await SlipwayGeneratorsTests.run(
                "aws", ["route53", "create-hosted-zone", "--name", "example.com", "--caller-reference", "bitbucket"],
                in: work.path, environment: environment.mapValues { $0 })
            try #require(zone.status == 0, "\(zone.standardError)")
            environment.merge(remote.ciEnvironment()) { $1 }
            environment["PATH"] =
                "\(work.path)/bin:"
                + remote.ciEnvironment()["PATH"]!.replacingOccurrences(of: ":/usr/bin:/bin", with: "")
                + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            environment["HOME"] = work.path
            environment["STANDIN_LOG"] = "\(work.path)/stand-ins.log"
            environment["STANDIN_STATE"] = "\(work.path)/state"
            environment["TF_CLI_CONFIG_FILE"] = try TerraformMirror.configuration(in: work)
            environment["TF_PLUGIN_CACHE_DIR"] = "\(work.path)/plugin-cache"
            try FileManager.default.createDirectory(
                atPath: "\(work.path)/plugin-cache", withIntermediateDirectories: true)
            environment["TF_VAR_ami_name_pattern"] = "ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-*"
            // The repository variables: what README.md says to create.
            environment["SSH_PRIVATE_KEY"] = privateKey
            environment["SSH_PUBLIC_KEY"] = try String(contentsOfFile: "\(work.path)/key.pub", encoding: .utf8)
            environment["FLUX_SSH_PRIVATE_KEY"] = privateKey
            environment["KKP_SECRET_SEED"] = "0123456789abcdef0123456789abcdef0123456789abcdef"
            environment["KKP_ADMIN_PASSWORD_HASH"] = "$2y$10$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01"
            environment["KUBEONE_AWS_ACCESS_KEY_ID"] = "AKIAKUBEONEMACHINES"
            environment["KUBEONE_AWS_SECRET_ACCESS_KEY"] = "kubeonekubeonekubeonekubeonekubeone0123"
            environment["BITBUCKET_COMMIT"] = head
            environment["BITBUCKET_BRANCH"] = "main"
            environment["BITBUCKET_REPO_FULL_NAME"] = "acme/platform"
            if oidc {
                // No stored key: what Bitbucket gives a step with `oidc: true` (a JWT moto does not check).
                environment["AWS_ACCESS_KEY_ID"] = nil
                environment["AWS_SECRET_ACCESS_KEY"] = nil
                environment["BITBUCKET_STEP_OIDC_TOKEN"] = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzdGVwIn0.c2lnbmF0dXJl"
                // Terraform's S3 backend sends STS calls to the STS endpoint alone, not AWS_ENDPOINT_URL.
                environment["AWS_ENDPOINT_URL_STS"] = environment["AWS_ENDPOINT_URL"]
            }
            let model = BitbucketStepModel(
                steps: try steps(file, section: ["branches", "main"]), clone: repository.path, environment: environment)
            let outcome = try await model.execute()
            let report = outcome.output.sorted { $0.key < $1.key }.map { "\($0): \($1.suffix(2500))" }
            for job in [
                "slipway changes", "terraform-kkp-validate", "terraform-backend-prepare", "terraform-plan",
                "terraform-apply", "kubeone-apply", "kubermatic-validate", "kkp-deploy", "dns-update", "flux-validate",
                "flux-bootstrap",
            ] {
                #expect(outcome.status[job] == "succeeded", "\(job): \(report)")
            }
            // terraform-apply applied the plan terraform-plan made in another step, and KubeOne
            // found the hosts in the outputs it read from the state.
            // The cluster's gate asked once, before the first step that changes it, for all five.
            #expect(outcome.asked == ["approve kkp-test"])
            let calls = try String(contentsOfFile: "\(work.path)/stand-ins.log", encoding: .utf8)
            #expect(calls.contains("kubeone apply --manifest kubeone/kubeone.yaml --tfjson"), "\(calls)")
            #expect(calls.contains("flux bootstrap git --url=ssh://git@bitbucket.org/acme/platform.git"), "\(calls)")
            let records = try await SlipwayGeneratorsTests.run(
                "aws",
                [
                    "route53", "list-resource-record-sets", "--hosted-zone-id",
                    try #require(
                        (try await SlipwayGeneratorsTests.run(
                            "aws",
                            ["route53", "list-hosted-zones", "--query", "HostedZones[0].Id", "--output", "text"],
                            in: work.path, environment: moto.environment().mapValues { $0 })).standardOutput.split(
                                separator: "\n"
                            ).first.map(String.init)),
                ], in: work.path, environment: moto.environment().mapValues { $0 })
            #expect(records.standardOutput.contains("kkp.example.com."), "\(records.standardOutput)")
            // No key reached a step's output.
            let keyLine = try #require(privateKey.split(separator: "\n").dropFirst().first)
            #expect(!outcome.output.values.contains { $0.contains(keyLine) })
        }
    }
}

/// Custom pipelines run on any branch and forks run pipelines: mutating steps run only on the
/// default branch of the canonical repository (`repository`).
@Suite struct BitbucketDeployGuardTests {
    @Test func mutatingStepsRunOnlyOnTheDefaultBranchOfTheCanonicalRepository() async throws {
        let spec = """
            version: 1
            repository: acme/platform
            environments: [prod]
            jobs:
              plan: { on: [manual], run: terraform plan }
              apply: { on: [manual], needs: [plan], mutates: true, environment: prod, run: terraform apply }
            """
        let pipeline = try #require(SpecValidator.pipeline(text: spec).pipeline)
        let file = try BitbucketGenerator().generate(pipeline)[0].contents
        let detection = try #require(try steps(file, section: ["custom", "slipway-manual"]).first)
        let remote = try await MarkedRepository.make(files: ["x"])
        defer { remote.remove() }
        let repository = remote.repository
        try repository.directory.write(".step.sh", detection.script)
        func answers(branch: String, repository name: String) async throws -> [String] {
            let output = "\(repository.path)/.variables"
            try? FileManager.default.removeItem(atPath: output)
            let result = try await run(
                "bash", [".step.sh"], in: repository.path,
                environment: [
                    "BITBUCKET_PIPELINES_VARIABLES_PATH": output, "BITBUCKET_BRANCH": branch,
                    "BITBUCKET_REPO_FULL_NAME": name,
                ])
            try #require(result.status == 0, "\(result.standardError)")
            return try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        #expect(
            try await answers(branch: "main", repository: "acme/platform") == [
                "SLIPWAY_RUN_0=true", "SLIPWAY_RUN_1=true",
            ])
        #expect(
            try await answers(branch: "feature", repository: "acme/platform") == [
                "SLIPWAY_RUN_0=true", "SLIPWAY_RUN_1=false",
            ])
        #expect(
            try await answers(branch: "main", repository: "someone/platform") == [
                "SLIPWAY_RUN_0=true", "SLIPWAY_RUN_1=false",
            ])
    }
}

/// Bitbucket converges: the detection step reads the marks the steps themselves push as tags
/// `slipway-marks/<job>` through the pipeline's origin, and selects what `Planner.converge` selects.
@Suite struct BitbucketConvergenceTests {
    /// What the detection step of `section` outputs, by slug, run in `remote`'s repository on main.
    func detect(
        _ pipeline: Pipeline, _ file: String, section: [String], in remote: MarkedRepository, all: Bool = false
    ) async throws -> [String: Bool] {
        let detection = try #require(try steps(file, section: section).first)
        let directory = try TemporaryDirectory(prefix: "bitbucket-detect")
        defer { directory.remove() }
        try directory.write("step.sh", detection.script)
        var environment: [String: String?] = remote.ciEnvironment().mapValues { $0 }
        environment["BITBUCKET_PIPELINES_VARIABLES_PATH"] = "\(directory.path)/variables"
        environment["BITBUCKET_BRANCH"] = "main"
        environment["BITBUCKET_COMMIT"] = try await remote.repository.git("rev-parse", "HEAD")
        environment["SLIPWAY_ALL"] = all ? "true" : "false"
        let result = try await run(
            "bash", ["\(directory.path)/step.sh"], in: remote.repository.path, environment: environment)
        try #require(result.status == 0, "detection failed: \(result.standardError)")
        var answers: [String: Bool] = [:]
        for line in try String(contentsOfFile: "\(directory.path)/variables", encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            let index = try #require(Int(parts[0].dropFirst("SLIPWAY_RUN_".count)))
            answers[pipeline.instances[index].slug] = parts[1] == "true"
        }
        return answers
    }

    @Test func randomHistoriesAndMarksAgreeWithThePlanner() async throws {
        var generator = SeededGenerator(seed: 0xB17B_C0DE)
        var mixed = 0
        for _ in 0..<6 {
            let spec = randomSpec(using: &generator)
            let pipeline = try #require(SpecValidator.pipeline(text: spec).pipeline, "\(spec)")
            let file = try BitbucketGenerator().generate(pipeline)[0].contents
            let remote = try await MarkedRepository.make(files: randomPaths(using: &generator))
            defer { remote.remove() }
            var life = MarkedRepository.Life()
            for step in 0..<5 {
                try await remote.randomStep(
                    step, of: pipeline, &life, remotePrefix: MarkRefs.tagPrefix, using: &generator)
                for (section, event) in [(["branches", "main"], Event.push), (["custom", "slipway-manual"], .manual)] {
                    guard pipeline.instances.contains(where: { pipeline.takesPart($0, in: event) }) else { continue }
                    let answers = try await detect(pipeline, file, section: section, in: remote)
                    #expect(answers == (try await remote.expected(pipeline, event)), "\(event) \(step)\n\(spec)")
                    if answers.values.contains(true) && answers.values.contains(false) { mixed += 1 }
                }
            }
        }
        #expect(mixed > 6, "only \(mixed) answers were mixed")
    }

    /// Through Bitbucket's step model: a deploy that failed runs again on the next push, which
    /// touched nothing it watches; the marks are tags on the origin, and nothing is left to do.
    @Test func aFailedDeployIsRunAgainByTheNextPush() async throws {
        let pipeline = try failingApplyPipeline()
        let file = try BitbucketGenerator().generate(pipeline)[0].contents
        let remote = try await MarkedRepository.make(files: ["infra/main.tf", "docs/index.md"])
        defer { remote.remove() }
        let repository = remote.repository
        func push(_ message: String, _ files: [String: String], failApply: Bool = false) async throws
            -> BitbucketStepModel.Outcome
        {
            for (path, contents) in files { try repository.write(path, contents) }
            let head = try await repository.commit(message)
            try await repository.git("push", "--quiet", "origin", "main")
            let model = BitbucketStepModel(
                steps: try steps(file, section: ["branches", "main"]), clone: repository.path,
                environment: [
                    "BITBUCKET_COMMIT": head, "BITBUCKET_BRANCH": "main", "FAIL_APPLY": failApply ? "yes" : "no",
                ].merging(remote.ciEnvironment()) { $1 })
            return try await model.execute()
        }
        let failed = try await push("a change that fails to apply", ["infra/main.tf": "bigger\n"], failApply: true)
        #expect(
            failed.status == ["slipway changes": "succeeded", "plan": "succeeded", "apply": "failed"],
            "\(failed.output)")
        let tags = try await repository.git("ls-remote", "--tags", remote.origin.path)
        #expect(
            tags.contains("refs/tags/slipway-marks/plan") && !tags.contains("slipway-marks/apply"),
            "\(tags)\n\(failed.output)")

        // The next push touches docs only: apply is out of date all the same (and pulls in plan).
        let fixed = try await push("docs", ["docs/index.md": "more\n"])
        #expect(fixed.status == ["slipway changes": "succeeded", "plan": "succeeded", "apply": "succeeded"])
        #expect(fixed.output["apply"]?.contains("apply: marked up to date at") == true, "\(fixed.output)")
        let converged = try await push("docs only", ["docs/index.md": "again\n"])
        #expect(converged.status == ["slipway changes": "succeeded", "plan": "skipped", "apply": "skipped"])
        // The marks are tags only: nothing was pushed under refs/slipway/ on the origin.
        #expect(try await repository.git("ls-remote", remote.origin.path, "refs/slipway/*").isEmpty)
    }
}
