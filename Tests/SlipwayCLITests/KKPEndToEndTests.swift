import Foundation
import SlipwayTesting
import Testing

/// The repository `init --preset kkp` writes for GitHub on AWS, run on the local runner against
/// emulated AWS: real git, terraform with the aws provider, the aws CLI and moto; stand-ins for
/// kubeone, kubermatic-installer, helm, kubectl and flux (Tests/Fixtures/kkp-stand-ins).
@Suite struct KKPEndToEndTests {
    @Test(.timeLimit(.minutes(20))) func theAWSRepositoryDeploysConvergesAndPlansPullRequests() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let repository = "\(directory.path)/repo"
        let written = try await slipway.run(
            [
                "init", "repo", "--preset", "kkp", "--yes", "--git", "github", "--cloud", "aws", "--cluster-name",
                "kkp-e2e", "--endpoint", "kkp.example.com", "--route53-zone", "example.com", "--admin-email",
                "admin@example.com", "--git-owner", "acme", "--git-repository", "platform", "--monitoring", "true",
                "--seed", "5",
            ], in: directory.path)
        try #require(written.status == 0, "\(written.standardError)")

        // What a user of this machine does: pin the versions installed here (terraform and the aws
        // CLI are real), and point the S3 backend at moto with path-style addressing.
        let terraformVersion = try #require(
            try await must("terraform", ["version"], in: directory.path).firstMatch(of: /Terraform v([0-9.]+)/)?.1)
        let awsVersion = try #require(
            try await sh("aws", ["--version"], in: directory.path).standardOutput.firstMatch(of: /aws-cli\/([0-9.]+)/)?
                .1)
        var spec = try String(contentsOfFile: "\(repository)/slipway.yml", encoding: .utf8)
        spec = spec.replacing(
            #/\n  terraform:\n    version: [0-9.]+\n    sha256:\n(      .*\n){4}/#,
            with: "\n" + "  terraform: \(terraformVersion)\n")
        spec = spec.replacingOccurrences(of: "  aws: 2.17.0\n", with: "  aws: \(awsVersion)\n")
        try spec.write(toFile: "\(repository)/slipway.yml", atomically: true, encoding: .utf8)
        for backend in ["terraform/aws/backend.hcl", "terraform/aws/dns/backend.hcl"] {
            let path = "\(repository)/\(backend)"
            try (String(contentsOfFile: path, encoding: .utf8) + "use_path_style = true\n").write(
                toFile: path, atomically: true, encoding: .utf8)
        }
        let bucket = try #require(spec.firstMatch(of: /TF_STATE_BUCKET: ([a-z0-9-]+)/)?.1).description

        let git = gitIdentity
        try await must("git", ["init", "-q", "-b", "main"], in: repository)
        try await must("git", ["add", "-A"], in: repository)
        try await must("git", ["commit", "-qm", "KKP on AWS"], in: repository, environment: git)

        // The secrets, as a user keeps them: an env-file outside the repository.
        try await must("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", "key"], in: directory.path)
        let privateKey = try String(contentsOfFile: "\(directory.path)/key", encoding: .utf8)
        let publicKey = try String(contentsOfFile: "\(directory.path)/key.pub", encoding: .utf8)
        let seed = "0123456789abcdef0123456789abcdef0123456789abcdef"
        try directory.write(
            "secrets.env",
            """
            AWS_ACCESS_KEY_ID=testing
            AWS_SECRET_ACCESS_KEY=testing
            SSH_PRIVATE_KEY="\(privateKey.trimmingCharacters(in: .newlines))"
            SSH_PUBLIC_KEY='\(publicKey.trimmingCharacters(in: .newlines))'
            KKP_SECRET_SEED=\(seed)
            KKP_ADMIN_PASSWORD_HASH='$2y$10$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01'
            FLUX_GITHUB_TOKEN=ghp_standinstandinstandin
            KUBEONE_AWS_ACCESS_KEY_ID=AKIAKUBEONEMACHINES
            KUBEONE_AWS_SECRET_ACCESS_KEY=kubeonekubeonekubeonekubeonekubeone0123

            """)
        let environmentFile = "\(directory.path)/secrets.env"

        // The stand-ins, first on PATH.
        try KKPFixtures.installStandIns(in: directory, repository: repositoryRoot)
        let log = "\(directory.path)/stand-ins.log"
        func logged() throws -> String { try String(contentsOfFile: log, encoding: .utf8) }
        func state(_ name: String) -> String {
            (try? String(contentsOfFile: "\(directory.path)/state/\(name)", encoding: .utf8)) ?? ""
        }

        try await MotoServer.with(repository: repositoryRoot, tls: true) { moto in
            var environment: [String: String?] = moto.environment().mapValues { $0 }
            // Secrets come from the env-file alone.
            environment["AWS_ACCESS_KEY_ID"] = .some(nil)
            environment["AWS_SECRET_ACCESS_KEY"] = .some(nil)
            environment["PATH"] = "\(directory.path)/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
            environment["STANDIN_LOG"] = log
            environment["STANDIN_STATE"] = "\(directory.path)/state"
            environment["TF_CLI_CONFIG_FILE"] = try TerraformMirror.configuration(in: directory)
            environment["TF_PLUGIN_CACHE_DIR"] = "\(directory.path)/plugin-cache"
            try FileManager.default.createDirectory(
                atPath: "\(directory.path)/plugin-cache", withIntermediateDirectories: true)
            // moto knows older Ubuntu images only.
            environment["TF_VAR_ami_name_pattern"] = "ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-*"
            var awsEnvironment = environment
            awsEnvironment["AWS_ACCESS_KEY_ID"] = "testing"
            awsEnvironment["AWS_SECRET_ACCESS_KEY"] = "testing"
            try await must(
                "aws", ["route53", "create-hosted-zone", "--name", "example.com", "--caller-reference", "e2e"],
                in: directory.path, environment: awsEnvironment)

            let mutating = [
                "terraform-backend-prepare", "terraform-apply", "kubeone-apply", "kkp-deploy", "dns-update",
                "flux-bootstrap",
            ]
            let approvals = mutating.flatMap { ["--approve", $0] }
            func push() async throws -> CommandResult {
                try await slipway.run(
                    ["run", "--event", "push", "--env-file", environmentFile, "--no-input"] + approvals,
                    in: repository, environment: environment)
            }

            // The first push builds everything, in order, and the state bucket on the way.
            let first = try await push()
            try #require(first.status == 0, "\(first.standardOutput.suffix(6000))\(first.standardError)")
            #expect(state("kubeone") == "apply\n")
            // The cluster keeps KubeOne's own key, not the pipeline's.
            #expect(state("kubeone-credentials") == "AKIAKUBEONEMACHINES\n")
            #expect(state("kubermatic") == "deploy storageclass=aws\n")
            #expect(state("flux") == "bootstrap github\n")
            let applied = state("applied")
            for object in [
                "default/ClusterIssuer/letsencrypt-prod", "kubermatic/Secret/kubeconfig-cluster",
                "monitoring/Secret/kubermatic-values", "iap/Secret/kubermatic-values",
            ] {
                #expect(applied.contains(object), "\(object) in \(applied)")
            }
            // Logging is off: its namespace gets no copy of the values and their secrets.
            #expect(!applied.contains("logging/Secret/kubermatic-values"))
            let calls = try logged()
            #expect(
                calls.contains(
                    "flux bootstrap github --owner=acme --repository=platform --branch=main --personal=false --path=flux/clusters/kkp-e2e --commit-message-appendix=[skip ci]"
                ), "\(calls)")
            #expect(calls.contains("token=GITHUB_TOKEN"))
            #expect(calls.contains("kubermatic-installer deploy --config"))
            #expect(calls.contains("kubeone apply --manifest kubeone/kubeone.yaml --tfjson"))

            // The state is in the bucket, the records in Route53.
            try await must(
                "aws", ["s3api", "head-object", "--bucket", bucket, "--key", "kkp/terraform.tfstate"],
                in: directory.path, environment: awsEnvironment)
            let zone = try await must(
                "aws", ["route53", "list-hosted-zones", "--query", "HostedZones[0].Id", "--output", "text"],
                in: directory.path, environment: awsEnvironment
            ).trimmingCharacters(in: .whitespacesAndNewlines)
            func records() async throws -> String {
                try await must(
                    "aws",
                    [
                        "route53", "list-resource-record-sets", "--hosted-zone-id", zone, "--query",
                        "ResourceRecordSets[?Type=='CNAME'].[Name,ResourceRecords[0].Value]", "--output", "text",
                    ], in: directory.path, environment: awsEnvironment)
            }
            let recordsAfterFirst = try await records()
            #expect(
                recordsAfterFirst.contains("kkp.example.com.\tkkp-ingress-0123456789.elb.eu-central-1.amazonaws.com"))
            #expect(
                recordsAfterFirst.contains("\\052.kkp.example.com.") || recordsAfterFirst.contains("*.kkp.example.com.")
            )
            #expect(
                recordsAfterFirst.contains("kubermatic.kkp.example.com.\tkkp-nodeport-0123456789.elb"),
                "\(recordsAfterFirst)")

            // No secret reached the output or the logs.
            let runs = "\(repository)/.slipway/runs"
            var logs = first.standardOutput + first.standardError
            for path in FileManager.default.enumerator(atPath: runs)?.allObjects as? [String] ?? []
            where path.hasSuffix(".log") || path.hasSuffix(".md") {
                logs += (try? String(contentsOfFile: "\(runs)/\(path)", encoding: .utf8)) ?? ""
            }
            let keyLine = try #require(privateKey.split(separator: "\n").dropFirst().first)
            #expect(!logs.contains(keyLine) && !logs.contains(seed) && !logs.contains("ghp_standin"))
            #expect(!logs.contains("abcdefghijklmnopqrstuuvwxyz"), "the admin's password hash")
            // Nor any secret kkp-deploy derived from the seed.
            for name in ["issuer-client-secret", "issuer-cookie-key", "service-account-key", "dex-kubermatic"] {
                let derived = try await must(
                    "bash", ["-c", "printf '%s:%s' \"$0\" \"$1\" | sha256sum | cut -c1-32", seed, name],
                    in: directory.path
                ).trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(derived.count == 32 && !logs.contains(derived), "\(name) reached the logs")
            }

            // A push touching only kubermatic/values.yaml deploys KKP (and its DNS), not Terraform
            // or KubeOne.
            let values = "\(repository)/kubermatic/values.yaml"
            try (String(contentsOfFile: values, encoding: .utf8) + "# tuned\n").write(
                toFile: values, atomically: true, encoding: .utf8)
            try await must("git", ["commit", "-qam", "Tune KKP"], in: repository, environment: git)
            let plan = try await slipway.run(
                ["plan", "--event", "push", "--format", "json"], in: repository, environment: environment)
            let planned = try #require(
                try JSONSerialization.jsonObject(with: Data(plan.standardOutput.utf8)) as? [String: Any])
            let selected = (planned["selected"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(selected == ["kubermatic-validate", "kkp-deploy", "dns-update"], "\(plan.standardOutput)")
            try "".write(toFile: log, atomically: true, encoding: .utf8)
            let second = try await push()
            try #require(second.status == 0, "\(second.standardOutput.suffix(6000))\(second.standardError)")
            #expect(state("kubeone") == "apply\n", "kubeone apply ran again")
            #expect(state("kubermatic") == "deploy storageclass=aws\ndeploy storageclass=aws\n")
            #expect(!(try logged()).contains("kubeone apply"))
            #expect(
                second.standardOutput.contains("No changes.")
                    || second.standardOutput.contains("0 added, 0 changed, 0 destroyed"))
            #expect(try await records() == recordsAfterFirst)

            // A pull request touching Terraform plans, and writes nothing to the state.
            func versions() async throws -> String {
                try await must(
                    "aws",
                    [
                        "s3api", "list-object-versions", "--bucket", bucket, "--prefix", "kkp/terraform.tfstate",
                        "--query", "Versions[].VersionId", "--output", "text",
                    ], in: directory.path, environment: awsEnvironment)
            }
            let versionsBefore = try await versions()
            try await must("git", ["checkout", "-qb", "bigger-control-plane"], in: repository)
            let tfvars = "\(repository)/terraform/aws/terraform.tfvars"
            let text = try String(contentsOfFile: tfvars, encoding: .utf8)
            try text.replacingOccurrences(of: "\"t3.large\"", with: "\"t3.xlarge\"").write(
                toFile: tfvars, atomically: true, encoding: .utf8)
            try await must("git", ["commit", "-qam", "Bigger control plane"], in: repository, environment: git)
            let pullRequest = try await slipway.run(
                ["run", "--event", "pull_request", "--base", "main", "--env-file", environmentFile, "--no-input"],
                in: repository, environment: environment)
            try #require(
                pullRequest.status == 0, "\(pullRequest.standardOutput.suffix(4000))\(pullRequest.standardError)")
            // The plan's summary: three control-plane instances change in place.
            let summary = "terraform/aws: Plan: 0 to add, 3 to change, 0 to destroy."
            #expect(pullRequest.standardOutput.contains(summary), "\(pullRequest.standardOutput.suffix(3000))")
            let summaries = (FileManager.default.enumerator(atPath: runs)?.allObjects as? [String] ?? []).filter {
                $0.hasSuffix("terraform-plan.summary.md")
            }
            let written = summaries.compactMap { try? String(contentsOfFile: "\(runs)/\($0)", encoding: .utf8) }
            #expect(written.contains { $0.contains("Plan: 0 to add, 3 to change, 0 to destroy.") }, "\(summaries)")
            #expect(try await versions() == versionsBefore)

            try await must("git", ["checkout", "-q", "main"], in: repository)
            // The state bucket's preparation changes nothing the second time (a manual run, on main).
            let prepare = try await slipway.run(
                [
                    "run", "--job", "terraform-backend-prepare", "--event", "manual", "--env-file", environmentFile,
                    "--no-input",
                ]
                    + approvals, in: repository, environment: environment)
            #expect(prepare.status == 0, "\(prepare.standardOutput)\(prepare.standardError)")
            #expect(prepare.standardOutput.contains("was already ready: nothing changed"), "\(prepare.standardOutput)")
        }
    }
}
