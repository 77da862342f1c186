import Foundation
import SlipwayBundles
import SlipwayCore
import SlipwayTesting
import Testing
import Yams

/// Every instance marked as succeeded at commit `a`, with its current definition.
private func allMarked(_ pipeline: Pipeline) -> [String: SlipwayCore.Mark] {
    pipeline.instances.reduce(into: [String: SlipwayCore.Mark]()) { marks, instance in
        marks[instance.id] = SlipwayCore.Mark(
            commit: "a", fingerprint: instance.fingerprint, succeededAt: Date(timeIntervalSince1970: 0))
    }
}

/// The answers `init --preset kops` takes: defaults, a cluster's own answers, and every problem.
@Suite struct KOpsAnswersTests {
    @Test func defaultsGiveThreeClustersInTheZoneWithAllButTheFirstGated() throws {
        let answers = try KOpsFixtures.answers(git: .github)
        #expect(
            answers.clusters == [
                .init(
                    environment: "dev", name: "dev.k8s.example.com", dnsZone: "k8s.example.com", region: "eu-central-1"),
                .init(
                    environment: "staging", name: "staging.k8s.example.com", dnsZone: "k8s.example.com",
                    region: "eu-central-1"),
                .init(
                    environment: "prod", name: "prod.k8s.example.com", dnsZone: "k8s.example.com",
                    region: "eu-central-1"),
            ])
        #expect(answers.gated == ["staging", "prod"])
        #expect(answers.kopsVersion == "1.31.0" && answers.kubernetesVersion == "1.31.4")
        #expect(answers.stateStore == "s3://acme-kops-state" && answers.awsRole == nil)
    }

    @Test func aClusterHasAnswersOfItsOwn() throws {
        let answers = try KOpsFixtures.answers(
            git: .gitlab,
            extra: [
                "clusters": "test, live", "region@live": "us-east-1", "dns-zone@live": "example.com",
                "name@live": "k8s.example.com", "gated": "none", "state-store": "s3://acme/kops/",
            ])
        #expect(answers.clusters.map(\.environment) == ["test", "live"])
        #expect(
            answers.clusters[1]
                == .init(environment: "live", name: "k8s.example.com", dnsZone: "example.com", region: "us-east-1"))
        #expect(answers.clusters[0].region == "eu-central-1")
        #expect(answers.gated.isEmpty)
        #expect(answers.stateStore == "s3://acme/kops", "the trailing slash is dropped")
        #expect(
            KOpsAnswers.keys(given: KOpsFixtures.given(git: .gitlab, extra: ["clusters": "test,live"])).contains(
                "region@live"))
    }

    @Test func everyProblemIsReportedAtOnceWithItsKey() throws {
        let given = KOpsFixtures.given(
            git: .github,
            extra: [
                "state-store": "https://acme-kops-state", "kops-version": "1.31.0", "kubernetes-version": "1.32.1",
                "gated": "staging,qa", "name@prod": "prod.other.example.org", "regoin": "eu-west-1",
                "region@qa": "eu-west-1",
            ])
        do {
            _ = try KOpsAnswers.resolve(given, clusterNameSeed: 1)
            Issue.record("the answers are wrong")
        } catch {
            let byKey = Dictionary(grouping: error.all, by: \.key)
            #expect(
                Set(byKey.keys) == ["state-store", "kubernetes-version", "gated", "name@prod", "regoin", "region@qa"])
            #expect(byKey["regoin"]?.first?.kind == .unknown(suggestion: "region"))
            guard case .invalid(_, let reason) = byKey["kubernetes-version"]?.first?.kind else {
                Issue.record("kubernetes-version")
                return
            }
            #expect(reason == "kOps 1.31.0 does not support Kubernetes 1.32 yet")
            #expect(byKey["name@prod"]?.first?.hint.contains("dns-zone@prod") == true)
            #expect(byKey["region@qa"]?.first?.hint.contains("dev, staging, prod") == true)
        }
    }

    @Test(arguments: [
        ("clusters", "dev,dev"), ("clusters", "dev,,prod"), ("clusters", "Dev"), ("kops-version", "1.18.3"),
        ("kops-version", "v1.31.0"), ("aws-role", "kops-ci"), ("git", "gitea"), ("dns-zone", "k8s.example.com."),
    ])
    func aWrongAnswerNamesItself(key: String, value: String) throws {
        do {
            _ = try KOpsAnswers.resolve(KOpsFixtures.given(git: .github, extra: [key: value]), clusterNameSeed: 1)
            Issue.record("\(key): \(value) must be refused")
        } catch {
            #expect(error.all.map(\.key).contains(key), "\(error.all)")
            #expect(error.all.allSatisfy { !$0.hint.isEmpty })
        }
    }

    @Test func missingAnswersSayHowToGiveThem() throws {
        do {
            _ = try KOpsAnswers.resolve(["git": GivenAnswer("github")], clusterNameSeed: 1)
            Issue.record("dns-zone, state-store and the owner have no defaults")
        } catch {
            // A cluster's own answers follow from the zone and are not reported on their own.
            #expect(error.all.map(\.key) == ["dns-zone", "state-store", "git-owner", "git-repository"])
            #expect(error.all.allSatisfy { $0.kind == .missing })
        }
    }
}

/// The repository `init --preset kops` writes: its layout, its pipeline, and how it selects.
@Suite struct KOpsBundleTests {
    @Test(arguments: KOpsFixtures.variants.map(\.name))
    func everyFileRendersCompletely(variant: String) throws {
        let (_, git, extra) = try #require(KOpsFixtures.variants.first { $0.name == variant })
        let answers = try KOpsFixtures.answers(git: git, extra: extra)
        let files = try KOpsBundle.repository(answers)
        var expected = [
            ".gitignore", "README.md", "clusters/defaults.yaml", "scripts/kops.sh", "slipway.yml",
            "templates/cluster.yaml",
        ]
        expected += answers.clusters.map { "clusters/\($0.environment)/values.yaml" }
        #expect(files.map(\.path) == expected.sorted())
        for file in files where file.path != "templates/cluster.yaml" {
            #expect(!file.path.contains("__") && !file.path.hasSuffix(".mustache"), "\(file.path)")
            #expect(!file.contents.contains("{{"), "\(file.path) kept a tag")
            #expect(!file.contents.contains("\n\n\n"), "\(file.path) has a run of blank lines")
            #expect(file.contents.hasSuffix("\n") && !file.contents.hasPrefix("\n"), "\(file.path)")
        }
        for cluster in answers.clusters {
            let values = try #require(files.first { $0.path == "clusters/\(cluster.environment)/values.yaml" })
            let document = try #require(try Yams.load(yaml: values.contents) as? [String: Any])
            #expect(document["clusterName"] as? String == cluster.name)
            #expect(document["dnsZone"] as? String == cluster.dnsZone)
            #expect(document["kubernetesVersion"] as? String == answers.kubernetesVersion)
            #expect((document["zones"] as? [String])?.allSatisfy { $0.hasPrefix(cluster.region) } == true)
        }
        // No key material and no credential, ever.
        for file in files {
            #expect(file.contents.firstMatch(of: /-----BEGIN [A-Z ]*PRIVATE KEY-----/) == nil, "\(file.path)")
            #expect(file.contents.range(of: #"AKIA[0-9A-Z]{16}"#, options: .regularExpression) == nil)
        }
        let gitignore = try #require(files.first { $0.path == ".gitignore" }).contents
        for pattern in ["out/", ".slipway/", "*.kubeconfig", ".env"] { #expect(gitignore.contains(pattern)) }
    }

    @Test(arguments: KOpsFixtures.variants.map(\.name))
    func theSpecPromotesEachClusterThroughItsGate(variant: String) throws {
        let (_, git, extra) = try #require(KOpsFixtures.variants.first { $0.name == variant })
        let answers = try KOpsFixtures.answers(git: git, extra: extra)
        let files = try KOpsBundle.repository(answers)
        let (pipeline, diagnostics) = try pipeline(of: files)
        #expect(pipeline.spec.jobs.map(\.name) == ["render", "dry-run", "deploy"])
        #expect(pipeline.spec.environments.map(\.name) == answers.clusters.map(\.environment))
        #expect(pipeline.spec.repository == "acme/clusters")
        for cluster in answers.clusters {
            let render = try #require(pipeline.instance("render@\(cluster.environment)"))
            #expect(render.secrets.isEmpty && render.oidc.isEmpty, "the render never gets credentials")
            #expect(render.produces == ["out/\(cluster.environment)/cluster.yaml"])
            let dryRun = try #require(pipeline.instance("dry-run@\(cluster.environment)"))
            #expect(!dryRun.mutates && dryRun.events.contains(.pullRequest) && dryRun.gate == nil)
            let deploy = try #require(pipeline.instance("deploy@\(cluster.environment)"))
            #expect(deploy.mutates && !deploy.events.contains(.pullRequest))
            #expect((deploy.gate != nil) == answers.gated.contains(cluster.environment), "\(deploy.id)")
            #expect(deploy.variables.contains { $0.name == "KOPS_CLUSTER_NAME" && $0.value == cluster.name })
            #expect(deploy.tools.map(\.name) == ["kops", "aws"])
            #expect(deploy.timeoutMinutes <= 120, "within Bitbucket's step limit")
        }
        // Each deploy waits for the previous cluster's: promotion, one cluster after another.
        let environments = answers.clusters.map(\.environment)
        for (previous, next) in zip(environments, environments.dropFirst()) {
            #expect(pipeline.instance("deploy@\(next)")?.after == ["deploy@\(previous)"])
        }
        if let role = extra["aws-role"] {
            #expect(pipeline.spec.secrets.isEmpty && pipeline.spec.oidc.aws?.role == role)
        } else {
            #expect(pipeline.spec.secrets == ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
        }
        let others = diagnostics.filter {
            guard case .toolWithoutDigests = $0.kind else { return true }
            return false
        }
        #expect(others.isEmpty, "\(others)")
        let readme = try #require(files.first { $0.path == "README.md" }).contents
        for cluster in answers.clusters { #expect(readme.contains("`\(cluster.name)`")) }
        #expect(readme.contains("## Upgrading kOps") && readme.contains("## Adding a cluster"))
        #expect(readme.contains("instance profile"))
    }

    /// A change under one cluster's folder runs that cluster's jobs alone; a template change
    /// runs every cluster's; a new kOps release dry-runs every cluster on its pull request and
    /// deploys every one after the merge.
    @Test func selectionFollowsTheClusters() throws {
        let (pipeline, _) = try pipeline(of: try KOpsFixtures.repository(git: .github))
        func pullRequest(_ paths: [String]) -> [String] {
            Planner().plan(pipeline, event: .pullRequest, changes: ChangeSet(paths: paths)).selectedIDs
        }
        #expect(pullRequest(["clusters/prod/values.yaml"]) == ["render@prod", "dry-run@prod"])
        #expect(
            Set(pullRequest(["templates/cluster.yaml"]))
                == ["render@dev", "render@staging", "render@prod", "dry-run@dev", "dry-run@staging", "dry-run@prod"])
        #expect(pullRequest(["README.md"]).isEmpty)

        let marks = allMarked(pipeline)
        func push(_ paths: [String], in pipeline: Pipeline) -> [String] {
            Planner().converge(
                pipeline, event: .push,
                Convergence(head: "b", marks: marks, changesSince: ["a": ChangeSet(paths: paths)])
            ).selectedIDs
        }
        #expect(push(["clusters/prod/values.yaml"], in: pipeline) == ["render@prod", "dry-run@prod", "deploy@prod"])

        // kOps 1.32: the same files, another pinned release.
        let spec = try #require(try KOpsFixtures.repository(git: .github).first { $0.path == "slipway.yml" }).contents
        let upgraded = try #require(
            SpecValidator.pipeline(
                text: spec.replacing(
                    #/  kops:\n    version: 1.31.0\n    sha256:\n      .*\n/#, with: "  kops: 1.32.0\n")
            ).pipeline)
        #expect(
            Set(Planner().plan(upgraded, event: .pullRequest, changes: ChangeSet(paths: ["slipway.yml"])).selectedIDs)
                .isSuperset(of: ["dry-run@dev", "dry-run@staging", "dry-run@prod"]))
        let deploys = push(["slipway.yml"], in: upgraded).filter { $0.hasPrefix("deploy@") }
        #expect(deploys == ["deploy@dev", "deploy@staging", "deploy@prod"])
    }

    /// The shared functions pass shellcheck, and the render really runs kops with an empty
    /// environment: a template reading a credential through Sprig's `env` gets nothing.
    @Test func theRenderCannotReadCredentials() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for file in try KOpsFixtures.repository(git: .github) { try directory.write(file.path, file.contents) }
        let checked = try await run(
            "shellcheck", ["--shell=bash", "--severity=style", "scripts/kops.sh"], in: directory.path)
        #expect(checked.status == 0, "\(checked.standardOutput)")

        try directory.write(
            "templates/leak.yaml",
            "apiVersion: v1\nkind: Leak\nmetadata:\n  name: '{{ env \"AWS_SECRET_ACCESS_KEY\" }}x'\n")
        try KOpsFixtures.installStandIn(
            in: directory, repository: repositoryRoot, log: "\(directory.path)/log", state: directory.path)
        let rendered = try await run(
            "bash", ["-euo", "pipefail", "-c", "source scripts/kops.sh; kops_render"], in: directory.path,
            environment: [
                "PATH": "\(directory.path)/bin:/usr/local/bin:/usr/bin:/bin", "SLIPWAY_ENVIRONMENT": "dev",
                "KOPS_CLUSTER_NAME": "dev.k8s.example.com", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMIstandinSECRET",
            ])
        #expect(rendered.status == 0, "\(rendered.standardOutput)\(rendered.standardError)")
        let manifest = try String(contentsOfFile: "\(directory.path)/out/dev/cluster.yaml", encoding: .utf8)
        #expect(manifest.contains("name: x") && !manifest.contains("standinSECRET"), "\(manifest)")
        #expect(manifest.contains("name: dev.k8s.example.com"))

        // A values file naming another cluster than slipway.yml is refused, saying which two.
        let wrong = try await run(
            "bash", ["-euo", "pipefail", "-c", "source scripts/kops.sh; kops_render"], in: directory.path,
            environment: [
                "PATH": "\(directory.path)/bin:/usr/local/bin:/usr/bin:/bin", "SLIPWAY_ENVIRONMENT": "dev",
                "KOPS_CLUSTER_NAME": "prod.k8s.example.com",
            ])
        #expect(wrong.status == 1)
        #expect(
            wrong.standardError.contains(
                "error: clusters/dev/values.yaml names the cluster 'dev.k8s.example.com', slipway.yml 'prod.k8s.example.com'"
            ),
            "\(wrong.standardError)")
    }

    /// The deploy applies the way its kOps release can, validates, and writes the live store.
    ///
    /// kOps 1.31 and later apply with `kops reconcile cluster` (control plane before nodes, as an
    /// upgrade needs); older releases update, preview the roll, and roll.
    @Test(arguments: [("1.30.2", false), ("1.31.0", true)])
    func theDeployAppliesTheWayItsKOpsReleaseCan(version: String, reconciles: Bool) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for file in try KOpsFixtures.repository(git: .github) { try directory.write(file.path, file.contents) }
        try KOpsFixtures.installStandIn(
            in: directory, repository: repositoryRoot, log: "\(directory.path)/log",
            state: "\(directory.path)/state", version: version)
        try await MotoServer.with(repository: repositoryRoot) { moto in
            var environment: [String: String?] = moto.environment().mapValues { $0 }
            let bucket = try await run(
                "aws",
                [
                    "s3api", "create-bucket", "--bucket", "acme-kops-state", "--create-bucket-configuration",
                    "LocationConstraint=eu-central-1",
                ], in: directory.path, environment: environment)
            try #require(bucket.status == 0, "\(bucket.standardError)")
            environment["PATH"] = "\(directory.path)/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
            environment["SLIPWAY_ENVIRONMENT"] = "staging"
            environment["KOPS_CLUSTER_NAME"] = "staging.k8s.example.com"
            environment["KOPS_STATE_STORE"] = "s3://acme-kops-state"
            // The cluster runs already, from an older spec: the deploy has nodes to roll.
            try directory.write(
                "state/cloud/staging.k8s.example.com.json", "{\"applied\": \"older\", \"needsRoll\": false}")
            let deployed = try await run(
                "bash", ["-euo", "pipefail", "-c", "source scripts/kops.sh; kops_render; kops_deploy"],
                in: directory.path, environment: environment)
            #expect(deployed.status == 0, "\(deployed.standardOutput)\(deployed.standardError)")
            // Each call without the state store the stand-in notes, and without the kubeconfig's
            // temporary path.
            let logged = try String(contentsOfFile: "\(directory.path)/log", encoding: .utf8)
            let calls: [String] = logged.split(separator: "\n").map { line in
                var call = String(line.split(separator: " [").first ?? line)
                if call.hasPrefix("kops export kubeconfig") {
                    call = call.components(separatedBy: " --kubeconfig").first ?? call
                }
                return call
            }.filter { !$0.hasPrefix("kops toolbox") }
            let cluster = "staging.k8s.example.com"
            var expected = ["kops replace --force -f out/staging/cluster.yaml"]
            if reconciles {
                expected.append("kops reconcile cluster --name \(cluster) --yes")
            } else {
                expected.append("kops update cluster --name \(cluster) --yes")
                expected.append("kops rolling-update cluster --name \(cluster)")
                expected.append("kops rolling-update cluster --name \(cluster) --yes")
            }
            expected.append("kops export kubeconfig --name \(cluster) --admin=1h")
            expected.append("kops validate cluster --name \(cluster) --wait 15m")
            expected.append("kops update cluster --name \(cluster)")
            #expect(calls == expected, "\(logged)")
            let rolls = try String(contentsOfFile: "\(directory.path)/state/rolls", encoding: .utf8)
            #expect(rolls == "staging.k8s.example.com\n")
            let config = try await run(
                "aws", ["s3", "cp", "s3://acme-kops-state/staging.k8s.example.com/kops-version.txt", "-"],
                in: directory.path, environment: moto.environment().mapValues { $0 })
            #expect(config.standardOutput == version)
        }
    }

    /// A dry run against a state store that does not exist stops, saying where the bucket comes
    /// from, and writes nothing.
    @Test func aMissingStateStoreIsNamed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for file in try KOpsFixtures.repository(git: .github) { try directory.write(file.path, file.contents) }
        try KOpsFixtures.installStandIn(
            in: directory, repository: repositoryRoot, log: "\(directory.path)/log", state: "\(directory.path)/state")
        try await MotoServer.with(repository: repositoryRoot) { moto in
            var environment: [String: String?] = moto.environment().mapValues { $0 }
            environment["PATH"] = "\(directory.path)/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
            environment["SLIPWAY_ENVIRONMENT"] = "dev"
            environment["KOPS_CLUSTER_NAME"] = "dev.k8s.example.com"
            environment["KOPS_STATE_STORE"] = "s3://acme-kops-state"
            let dryRun = try await run(
                "bash", ["-euo", "pipefail", "-c", "source scripts/kops.sh; kops_render; kops_dry_run"],
                in: directory.path, environment: environment)
            #expect(dryRun.status == 1)
            #expect(
                dryRun.standardError.contains(
                    "error: cannot copy s3://acme-kops-state/dev.k8s.example.com from the state store"),
                "\(dryRun.standardError)")
            #expect(dryRun.standardError.contains("note: does the bucket exist?"))
            let calls = try String(contentsOfFile: "\(directory.path)/log", encoding: .utf8)
            #expect(!calls.contains("kops replace"), "\(calls)")
        }
    }

    /// Every file `init --preset kops` writes, per variant, as golden files (`RECORD_SNAPSHOTS=1`
    /// re-records them), so a template change shows in review as the change it makes.
    @Test(arguments: KOpsFixtures.variants.map(\.name))
    func goldenRepositories(variant: String) throws {
        let (_, git, extra) = try #require(KOpsFixtures.variants.first { $0.name == variant })
        // The goldens of the variants before this one hold what it renders the same.
        let earlier = KOpsFixtures.variants.prefix { $0.name != variant }
        let references = try earlier.map { try KOpsFixtures.repository(git: $0.git, extra: $0.extra) }
        expectGoldenFiles(
            try KOpsFixtures.repository(git: git, extra: extra), fixture: "bundle-\(variant)",
            resources: "kops/repository", references: references)
    }
}
