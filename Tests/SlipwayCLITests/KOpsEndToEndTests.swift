import Foundation
import SlipwayTesting
import Testing

/// The repository `init --preset kops` writes, run on the local runner against a state store in
/// moto: real git, the aws CLI and moto; a recording stand-in for kops
/// (Tests/Fixtures/kops-stand-in) that keeps the clusters' state where `--state` or
/// `KOPS_STATE_STORE` point.
@Suite struct KOpsEndToEndTests {
    @Test(.timeLimit(.minutes(10))) func pullRequestsDryRunInIsolationAndPushesPromoteThroughTheGates() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let repository = "\(directory.path)/repo"
        let bucket = "kops-e2e-state"
        let written = try await slipway.run(
            [
                "init", "repo", "--preset", "kops", "--yes", "--git", "github", "--dns-zone", "k8s.example.com",
                "--state-store", "s3://\(bucket)", "--git-owner", "acme", "--git-repository", "clusters",
            ], in: directory.path)
        try #require(written.status == 0, "\(written.standardError)")

        // Pin what this machine has: the stand-in's kOps release and the real aws CLI.
        let awsVersion = try #require(
            try await sh("aws", ["--version"], in: directory.path).standardOutput.firstMatch(of: /aws-cli\/([0-9.]+)/)?
                .1)
        let specPath = "\(repository)/slipway.yml"
        func pin(kops version: String) throws {
            var spec = try String(contentsOfFile: specPath, encoding: .utf8)
            spec = spec.replacing(
                #/\n  kops:\n    version: [0-9.]+\n    sha256:\n(      .*\n){1}/#, with: "\n  kops: 1.31.0\n")
            spec = spec.replacing(#/\n  kops: [0-9.]+\n/#, with: "\n  kops: \(version)\n")
            spec = spec.replacing(#/\n  aws: [0-9.]+\n/#, with: "\n  aws: \(awsVersion)\n")
            try spec.write(toFile: specPath, atomically: true, encoding: .utf8)
        }
        try pin(kops: "1.31.0")

        let git = gitIdentity
        try await must("git", ["init", "-q", "-b", "main"], in: repository)
        try await must("git", ["add", "-A"], in: repository)
        try await must("git", ["commit", "-qm", "kOps clusters"], in: repository, environment: git)
        try directory.write("secrets.env", "AWS_ACCESS_KEY_ID=testing\nAWS_SECRET_ACCESS_KEY=testing\n")
        let environmentFile = "\(directory.path)/secrets.env"

        // The stand-in, first on PATH; it finds its log beside itself when run with an empty
        // environment, as the render does.
        let log = "\(directory.path)/stand-in.log"
        let state = "\(directory.path)/stand-in"
        try KOpsFixtures.installStandIn(in: directory, repository: repositoryRoot, log: log, state: state)
        try directory.write("stand-in/.keep", "")
        func logged() throws -> String { try String(contentsOfFile: log, encoding: .utf8) }
        func rolls() -> String { (try? String(contentsOfFile: "\(state)/rolls", encoding: .utf8)) ?? "" }

        try await MotoServer.with(repository: repositoryRoot) { moto in
            var environment: [String: String?] = moto.environment().mapValues { $0 }
            environment["AWS_ACCESS_KEY_ID"] = .some(nil)
            environment["AWS_SECRET_ACCESS_KEY"] = .some(nil)
            environment["PATH"] = "\(directory.path)/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
            var aws = environment
            aws["AWS_ACCESS_KEY_ID"] = "testing"
            aws["AWS_SECRET_ACCESS_KEY"] = "testing"
            func s3(_ arguments: [String]) async throws -> String {
                try await must("aws", arguments, in: directory.path, environment: aws)
            }

            // The state store, versioned, holding the staging cluster as kOps left it: its spec,
            // its CA's private key, a secret, and etcd backups.
            _ = try await s3([
                "s3api", "create-bucket", "--bucket", bucket, "--create-bucket-configuration",
                "LocationConstraint=eu-central-1",
            ])
            _ = try await s3([
                "s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled",
            ])
            let privateKey = "MIIEowIBAAKCAQEAstandinCAPRIVATEKEYdoNotLeak0123456789abcdef"
            let adminToken = "standinADMINtokenDoNotLeak9876"
            let seeded = [
                "config":
                    "apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata: {name: staging.k8s.example.com}\nspec: {kubernetesVersion: 1.30.9}\n",
                "instancegroup/nodes": "kind: InstanceGroup\nmetadata: {name: nodes}\n",
                "pki/private/kubernetes-ca/keyset.yaml":
                    "privateMaterial: |\n  -----BEGIN RSA PRIVATE KEY-----\n  \(privateKey)\n  -----END RSA PRIVATE KEY-----\n",
                "secrets/admin": "{\"Data\": \"\(adminToken)\"}\n",
                "kops-version.txt": "1.31.0",
                "backups/etcd/main/2026-11-30T00:00:00Z/etcd.backup.gz": "backup",
            ]
            for (key, contents) in seeded {
                try directory.write("seed", contents)
                _ = try await s3([
                    "s3", "cp", "\(directory.path)/seed", "s3://\(bucket)/staging.k8s.example.com/\(key)",
                ])
            }
            // staging runs in the "cloud" already, built from that older spec.
            try directory.write(
                "stand-in/cloud/staging.k8s.example.com.json", "{\"applied\": \"older\", \"needsRoll\": false}")
            func versions() async throws -> String {
                try await s3([
                    "s3api", "list-object-versions", "--bucket", bucket, "--query", "Versions[].[Key,VersionId]",
                    "--output", "text",
                ])
            }

            // A pull request changing staging's values and the template dry-runs every cluster,
            // each against a private copy of its state.
            let before = try await versions()
            try await must("git", ["checkout", "-qb", "bigger-nodes"], in: repository)
            let values = "\(repository)/clusters/staging/values.yaml"
            try
                (String(contentsOfFile: values, encoding: .utf8).replacingOccurrences(
                    of: "kubernetesVersion: 1.31.4", with: "kubernetesVersion: 1.31.5")).write(
                    toFile: values, atomically: true, encoding: .utf8)
            let template = "\(repository)/templates/cluster.yaml"
            try
                (String(contentsOfFile: template, encoding: .utf8).replacingOccurrences(
                    of: "backupRetentionDays: 90", with: "backupRetentionDays: 30")).write(
                    toFile: template, atomically: true, encoding: .utf8)
            try await must(
                "git", ["commit", "-qam", "Staging on 1.31.5; fewer etcd backups"], in: repository, environment: git)
            let pullRequest = try await slipway.run(
                ["run", "--event", "pull_request", "--base", "main", "--env-file", environmentFile, "--no-input"],
                in: repository, environment: environment)
            try #require(
                pullRequest.status == 0, "\(pullRequest.standardOutput.suffix(6000))\(pullRequest.standardError)")
            for environmentName in ["dev", "staging", "prod"] {
                #expect(pullRequest.standardOutput.contains("dry-run@\(environmentName)"))
            }
            #expect(
                pullRequest.standardOutput.contains("dry run: staging.k8s.example.com: changes"),
                "\(pullRequest.standardOutput.suffix(4000))")
            #expect(pullRequest.standardOutput.contains("prod.k8s.example.com is not in s3://\(bucket) yet"))
            // Not one object version more: nothing was written to the state store.
            #expect(try await versions() == before)
            let pullRequestCalls = try logged()
            let kopsCalls = pullRequestCalls.split(separator: "\n").filter {
                $0.hasPrefix("kops replace") || $0.hasPrefix("kops update") || $0.hasPrefix("kops rolling-update")
            }
            #expect(kopsCalls.count == 9, "\(pullRequestCalls)")
            #expect(kopsCalls.allSatisfy { $0.contains("[state=file://") && !$0.contains("--yes") }, "\(kopsCalls)")
            // The templates were rendered where no credential could be read.
            #expect(pullRequestCalls.contains("kops toolbox template") && !pullRequestCalls.contains("[credentials]"))
            // No byte of the copied keys reached the output, the logs or the summaries, and the
            // copy is gone.
            let runs = "\(repository)/.slipway/runs"
            func everything(_ result: CommandResult) -> String {
                var text = result.standardOutput + result.standardError
                for path in FileManager.default.enumerator(atPath: "\(repository)/.slipway")?.allObjects as? [String]
                    ?? []
                where !path.hasSuffix(".sqlite") {
                    text += (try? String(contentsOfFile: "\(repository)/.slipway/\(path)", encoding: .utf8)) ?? ""
                }
                return text
            }
            let pullRequestText = everything(pullRequest)
            #expect(!pullRequestText.contains("standinCAPRIVATEKEY") && !pullRequestText.contains(adminToken))
            let summaries = (FileManager.default.enumerator(atPath: runs)?.allObjects as? [String] ?? []).filter {
                $0.hasSuffix("dry-run-staging.summary.md")
            }
            let summary = summaries.compactMap { try? String(contentsOfFile: "\(runs)/\($0)", encoding: .utf8) }
                .joined()
            #expect(
                summary.contains("### staging.k8s.example.com: changes") && summary.contains("Will modify resources"),
                "\(summaries)")

            // Merged: the push deploys dev, then stops at staging's gate.
            try await must("git", ["checkout", "-q", "main"], in: repository)
            try await must("git", ["merge", "-q", "--ff-only", "bigger-nodes"], in: repository)
            try "".write(toFile: log, atomically: true, encoding: .utf8)
            let push = try await slipway.run(
                ["run", "--event", "push", "--env-file", environmentFile, "--no-input"],
                in: repository, environment: environment)
            #expect(push.status == 3, "\(push.standardOutput.suffix(6000))\(push.standardError)")
            let firstCalls = try logged()
            // kOps 1.31 reconciles: control plane first, then the nodes.
            #expect(
                firstCalls.contains("kops reconcile cluster --name dev.k8s.example.com --yes [state=s3://\(bucket)]"),
                "\(firstCalls)")
            #expect(
                !firstCalls.contains("staging.k8s.example.com --yes")
                    && !firstCalls.contains("prod.k8s.example.com --yes"))
            _ = try await s3(["s3api", "head-object", "--bucket", bucket, "--key", "dev.k8s.example.com/config"])

            // Approved: staging, then prod; staging's nodes roll onto the new spec.
            for gate in ["deploy@staging", "deploy@prod"] {
                let approved = try await slipway.run(["approve", gate], in: repository, environment: environment)
                try #require(approved.status == 0, "\(approved.standardOutput)\(approved.standardError)")
            }
            let resumed = try await slipway.run(
                ["resume", "--env-file", environmentFile], in: repository, environment: environment)
            try #require(resumed.status == 0, "\(resumed.standardOutput.suffix(6000))\(resumed.standardError)")
            let calls = try logged().split(separator: "\n").map(String.init)
            // The live store's calls; the dry runs before each deploy work on their own copies.
            func position(_ call: String) -> Int? {
                calls.firstIndex { $0.hasPrefix(call) && $0.hasSuffix("[state=s3://\(bucket)]") }
            }
            let order = [
                "kops replace --force -f out/dev/cluster.yaml",
                "kops reconcile cluster --name dev.k8s.example.com --yes",
                "kops validate cluster --name dev.k8s.example.com",
                "kops replace --force -f out/staging/cluster.yaml",
                "kops reconcile cluster --name staging.k8s.example.com --yes",
                "kops validate cluster --name staging.k8s.example.com",
                "kops replace --force -f out/prod/cluster.yaml",
                "kops reconcile cluster --name prod.k8s.example.com --yes",
                "kops validate cluster --name prod.k8s.example.com",
            ]
            let positions = order.map(position)
            #expect(positions.allSatisfy { $0 != nil }, "\(calls)")
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "\(calls)")
            #expect(rolls() == "staging.k8s.example.com\n", "only staging had nodes to replace")
            #expect(
                try await s3(["s3", "cp", "s3://\(bucket)/staging.k8s.example.com/config", "-"]).contains(
                    "kubernetesVersion: 1.31.5"))
            #expect(!everything(resumed).contains("standinCAPRIVATEKEY"))

            // A change to prod's values alone runs prod's jobs alone.
            let prodValues = "\(repository)/clusters/prod/values.yaml"
            try (String(contentsOfFile: prodValues, encoding: .utf8) + "# tuned\n").write(
                toFile: prodValues, atomically: true, encoding: .utf8)
            try await must("git", ["commit", "-qam", "Tune prod"], in: repository, environment: git)
            let plan = try PlanJSON(
                try await slipway.run(
                    ["plan", "--event", "push", "--format", "json"], in: repository, environment: environment))
            #expect(plan.selected.map(\.id) == ["render@prod", "dry-run@prod", "deploy@prod"], "\(plan.selected)")

            // Upgrading kOps is a pull request: every cluster is dry-run with the new release;
            // an older release than the one that last updated a cluster is refused, saying so.
            try await must("git", ["checkout", "-qb", "kops-downgrade"], in: repository)
            try pin(kops: "1.30.0")
            try await must("git", ["commit", "-qam", "kOps 1.30"], in: repository, environment: git)
            var older = environment
            older["STANDIN_KOPS_VERSION"] = "1.30.0"
            let downgrade = try await slipway.run(
                ["run", "--event", "pull_request", "--base", "main", "--env-file", environmentFile, "--no-input"],
                in: repository, environment: older)
            #expect(downgrade.status == 1)
            #expect(
                downgrade.standardError.contains(
                    "kOps 1.30.0 would downgrade dev.k8s.example.com: kOps 1.31.0 last updated it")
                    || downgrade.standardOutput.contains(
                        "kOps 1.30.0 would downgrade dev.k8s.example.com: kOps 1.31.0 last updated it"),
                "\(downgrade.standardOutput.suffix(3000))\(downgrade.standardError)")
            try await must("git", ["checkout", "-q", "main"], in: repository)
            try await must("git", ["checkout", "-qb", "kops-upgrade"], in: repository)
            try pin(kops: "1.32.0")
            try await must("git", ["commit", "-qam", "kOps 1.32"], in: repository, environment: git)
            let upgrade = try PlanJSON(
                try await slipway.run(
                    ["plan", "--event", "pull_request", "--base", "main", "--format", "json"], in: repository,
                    environment: environment))
            #expect(
                Set(upgrade.selected.map(\.id)).isSuperset(of: ["dry-run@dev", "dry-run@staging", "dry-run@prod"]),
                "\(upgrade.selected)")
        }
    }
}
