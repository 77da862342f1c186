import Foundation
import SlipwayBundles
import SlipwayCore
import SlipwayRunner
import SlipwayTesting
import Testing

/// A Terraform CLI configuration that installs the aws provider from the machine's mirror.
private func terraformConfiguration(in directory: TemporaryDirectory) throws -> String {
    try TerraformMirror.configuration(in: directory)
}

/// The Terraform of the repository `init --preset kkp` writes for GitHub on AWS.
private func terraform(extra: [String: String] = [:]) throws -> [GeneratedFile] {
    try KKPFixtures.repository(git: .github, extra: extra).filter { $0.path.hasPrefix("terraform/") }
}

/// The KKP bundle's control-plane Terraform is formatted, valid, and applies against emulated AWS,
/// with its state in S3 and a second plan that changes nothing.
@Suite struct KKPTerraformTests {
    @Test func theAWSControlPlaneHasItsFiles() throws {
        let files = try terraform(extra: ["route53-zone": "example.com"])
        #expect(
            files.map(\.path) == [
                "terraform/aws/backend.hcl", "terraform/aws/dns/backend.hcl", "terraform/aws/dns/main.tf",
                "terraform/aws/dns/terraform.tfvars", "terraform/aws/main.tf", "terraform/aws/outputs.tf",
                "terraform/aws/prepare-backend.sh", "terraform/aws/terraform.tfvars", "terraform/aws/variables.tf",
                "terraform/aws/versions.tf",
            ])
    }

    /// For every Git provider (GitLab's state backend differs), the Terraform is formatted and valid,
    /// and the shell the jobs run passes shellcheck.
    ///
    /// On GCP only formatting is checked: the google provider cannot be installed here, and
    /// `terraform validate` needs it (docs/init.md says so).
    @Test(arguments: KKPFixtures.variants.map(\.name))
    func everyVariantIsFormattedValidAndShellchecked(variant: String) async throws {
        let (_, git, extra) = try #require(KKPFixtures.variants.first { $0.name == variant })
        let files = try KKPFixtures.repository(git: git, extra: extra)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for file in files { try directory.write(file.path, file.contents) }
        let configuration = try terraformConfiguration(in: directory)
        let cloud = extra["cloud"] ?? "aws"
        let module = "\(directory.path)/terraform/\(cloud)"
        let environment: [String: String?] = ["TF_CLI_CONFIG_FILE": configuration, "TF_IN_AUTOMATION": "1"]
        let format = try await run("terraform", ["fmt", "-check", "-recursive"], in: module, environment: environment)
        #expect(format.status == 0, "\(variant): \(format.standardOutput)\(format.standardError)")
        for root in cloud == "aws" ? [module, "\(module)/dns"] : [] {
            let initialize = try await run(
                "terraform", ["init", "-backend=false", "-input=false", "-no-color"], in: root,
                environment: environment)
            try #require(initialize.status == 0, "\(initialize.standardOutput)\(initialize.standardError)")
            let validate = try await run("terraform", ["validate", "-no-color"], in: root, environment: environment)
            #expect(validate.status == 0, "\(variant) \(root): \(validate.standardOutput)\(validate.standardError)")
        }
        var scripts = ["scripts/kkp.sh"]
        if git != .gitlab, cloud == "aws" { scripts.append("terraform/aws/prepare-backend.sh") }
        if git != .gitlab, cloud == "gcp" {
            let parse = try await run(
                "python3",
                ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", "terraform/gcp/prepare-backend.py"],
                in: directory.path)
            #expect(parse.status == 0, "\(variant): \(parse.standardError)")
        }
        for script in scripts {
            let check = try await run(
                "shellcheck", ["--shell=bash", "--severity=style", script], in: directory.path)
            #expect(check.status == 0, "\(variant) \(script): \(check.standardOutput)")
        }
    }

    /// `prepare-backend.sh` creates the state bucket with versioning, encryption, public access
    /// blocked and TLS required, and a second run changes nothing and says so.
    @Test func theStateBucketIsPreparedOnceAndThenLeftAlone() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await MotoServer.with(repository: repositoryRoot) { moto in
            for file in try terraform() { try directory.write(file.path, file.contents) }
            var environment: [String: String?] = moto.environment().mapValues { $0 }
            environment["TF_STATE_BUCKET"] = "kkp-prepared-state"
            func prepare() async throws -> CommandResult {
                try await run(
                    "bash", ["terraform/aws/prepare-backend.sh"], in: directory.path, environment: environment)
            }
            func aws(_ arguments: String...) async throws -> String {
                let result = try await run("aws", ["s3api"] + arguments, in: directory.path, environment: environment)
                try #require(result.status == 0, "aws s3api \(arguments): \(result.standardError)")
                return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let first = try await prepare()
            try #require(first.status == 0, "\(first.standardOutput)\(first.standardError)")
            #expect(first.standardOutput.contains("state bucket kkp-prepared-state: created in eu-central-1"))
            #expect(first.standardOutput.contains("state bucket kkp-prepared-state is ready"))
            #expect(
                try await aws(
                    "get-bucket-versioning", "--bucket", "kkp-prepared-state", "--query", "Status", "--output", "text")
                    == "Enabled")
            #expect(
                try await aws(
                    "get-bucket-encryption", "--bucket", "kkp-prepared-state", "--output", "text", "--query",
                    "ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm")
                    == "AES256")
            let blocked = try await aws("get-public-access-block", "--bucket", "kkp-prepared-state")
            #expect(!blocked.contains("false"), "\(blocked)")
            let policy = try await aws("get-bucket-policy", "--bucket", "kkp-prepared-state")
            #expect(policy.contains("aws:SecureTransport"), "\(policy)")

            let second = try await prepare()
            #expect(second.status == 0, "\(second.standardError)")
            #expect(
                second.standardOutput == """
                    state bucket kkp-prepared-state: exists
                    versioning: already on
                    encryption: already AES256
                    public access: already blocked
                    TLS only: already required
                    state bucket kkp-prepared-state was already ready: nothing changed

                    """)
        }
    }

    /// The endpoint and its wildcard point at the ingress in Route53; a second plan changes nothing.
    @Test func theEndpointsRecordsPointAtTheIngress() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await MotoServer.with(repository: repositoryRoot) { moto in
            for file in try terraform() { try directory.write(file.path, file.contents) }
            let module = "\(directory.path)/terraform/aws/dns"
            var environment: [String: String?] = moto.environment().mapValues { $0 }
            environment["TF_CLI_CONFIG_FILE"] = try terraformConfiguration(in: directory)
            environment["TF_IN_AUTOMATION"] = "1"
            environment["TF_VAR_region"] = "eu-central-1"
            environment["TF_VAR_zone_name"] = "example.com"
            environment["TF_VAR_endpoint"] = "kkp.example.com"
            environment["TF_VAR_ingress_hostname"] = "ingress-1234.elb.eu-central-1.amazonaws.com"
            environment["TF_VAR_nodeport_proxy_hostname"] = "nodeport-1234.elb.eu-central-1.amazonaws.com"
            for arguments in [
                ["route53", "create-hosted-zone", "--name", "example.com", "--caller-reference", "slipway-test"],
                [
                    "s3api", "create-bucket", "--bucket", "kkp-dns-state", "--create-bucket-configuration",
                    "LocationConstraint=eu-central-1",
                ],
            ] {
                let result = try await run("aws", arguments, in: directory.path, environment: environment)
                try #require(result.status == 0, "aws \(arguments): \(result.standardError)")
            }
            try directory.write(
                "terraform/aws/dns/backend.hcl",
                "bucket = \"kkp-dns-state\"\nkey = \"kkp/dns.tfstate\"\nregion = \"eu-central-1\"\nuse_path_style = true\n"
            )
            let initialize = try await run(
                "terraform", ["init", "-input=false", "-no-color", "-backend-config=backend.hcl"], in: module,
                environment: environment)
            try #require(initialize.status == 0, "\(initialize.standardOutput)\(initialize.standardError)")
            let apply = try await run(
                "terraform", ["apply", "-input=false", "-auto-approve", "-no-color"], in: module,
                environment: environment)
            try #require(apply.status == 0, "\(apply.standardOutput.suffix(2000))\(apply.standardError)")
            let plan = try await run(
                "terraform", ["plan", "-input=false", "-detailed-exitcode", "-no-color"], in: module,
                environment: environment)
            #expect(plan.status == 0, "a second plan must change nothing:\n\(plan.standardOutput.suffix(2000))")
            let zones = try await run(
                "aws", ["route53", "list-hosted-zones", "--query", "HostedZones[0].Id", "--output", "text"],
                in: directory.path, environment: environment)
            let records = try await run(
                "aws",
                [
                    "route53", "list-resource-record-sets", "--hosted-zone-id",
                    zones.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines), "--output", "text",
                    "--query", "ResourceRecordSets[?Type=='CNAME'].[Name, ResourceRecords[0].Value]",
                ],
                in: directory.path, environment: environment)
            let lines = Set(
                records.standardOutput.split(separator: "\n").map { $0.split(separator: "\t").joined(separator: " ") })
            #expect(
                lines == [
                    "kkp.example.com. ingress-1234.elb.eu-central-1.amazonaws.com",
                    // Route53 lists the wildcard's asterisk as the octal escape \052, as AWS does.
                    "\\052.kkp.example.com. ingress-1234.elb.eu-central-1.amazonaws.com",
                    // User clusters' API servers, through the nodeport-proxy.
                    "\\052.kubermatic.kkp.example.com. nodeport-1234.elb.eu-central-1.amazonaws.com",
                ], "\(records.standardOutput)")

            // An endpoint outside the zone is refused before anything changes.
            environment["TF_VAR_endpoint"] = "kkp.example.org"
            let outside = try await run(
                "terraform", ["plan", "-input=false", "-no-color"], in: module, environment: environment)
            #expect(outside.status != 0)
            #expect(
                outside.standardError.contains("endpoint must be a name inside zone_name"), "\(outside.standardError)")
        }
    }

    @Test(.timeLimit(.minutes(10))) func theAWSControlPlaneAppliesAgainstEmulatedAWS() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await MotoServer.with(repository: repositoryRoot) { moto in try await apply(in: directory, moto: moto) }
    }

    private func apply(in directory: TemporaryDirectory, moto: MotoServer) async throws {
        for file in try terraform() { try directory.write(file.path, file.contents) }
        let module = "\(directory.path)/terraform/aws"
        let keys = try await run(
            "ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", "\(directory.path)/key"], in: directory.path)
        try #require(keys.status == 0, "ssh-keygen: \(keys.standardError)")
        var environment: [String: String?] = moto.environment().mapValues { $0 }
        environment["TF_CLI_CONFIG_FILE"] = try terraformConfiguration(in: directory)
        environment["TF_IN_AUTOMATION"] = "1"
        environment["TF_VAR_cluster_name"] = "kkp-test"
        environment["TF_VAR_region"] = "eu-central-1"
        environment["TF_VAR_ssh_public_key"] = try String(contentsOfFile: "\(directory.path)/key.pub", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // moto carries old Ubuntu images only.
        environment["TF_VAR_ami_name_pattern"] = "ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-*"

        // The state bucket terraform-backend-prepare would create, with versioning.
        let bucket = try await run(
            "aws",
            [
                "s3api", "create-bucket", "--bucket", "kkp-test-state",
                "--create-bucket-configuration", "LocationConstraint=eu-central-1",
            ],
            in: directory.path, environment: environment)
        try #require(bucket.status == 0, "\(bucket.standardError)")
        try directory.write(
            "terraform/aws/backend.hcl",
            "bucket = \"kkp-test-state\"\nkey = \"kkp/terraform.tfstate\"\nregion = \"eu-central-1\"\nuse_path_style = true\n"
        )
        let initialize = try await run(
            "terraform", ["init", "-input=false", "-no-color", "-backend-config=backend.hcl"], in: module,
            environment: environment)
        try #require(initialize.status == 0, "\(initialize.standardOutput)\(initialize.standardError)")
        let apply = try await run(
            "terraform", ["apply", "-input=false", "-auto-approve", "-no-color"], in: module, environment: environment)
        try #require(apply.status == 0, "\(apply.standardOutput.suffix(3000))\(apply.standardError)")

        // Nothing left to do, and the state is in the bucket, not on disk.
        let plan = try await run(
            "terraform", ["plan", "-input=false", "-detailed-exitcode", "-no-color"], in: module,
            environment: environment)
        #expect(plan.status == 0, "a second plan must change nothing:\n\(plan.standardOutput.suffix(3000))")
        let state = try await run(
            "aws", ["s3api", "head-object", "--bucket", "kkp-test-state", "--key", "kkp/terraform.tfstate"],
            in: directory.path, environment: environment)
        #expect(state.status == 0, "\(state.standardError)")
        #expect(!FileManager.default.fileExists(atPath: "\(module)/terraform.tfstate"))

        // What `kubeone apply --tfjson` reads.
        let output = try await run("terraform", ["output", "-json"], in: module, environment: environment)
        try #require(output.status == 0, "\(output.standardError)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any])
        let api = (document["kubeone_api"] as? [String: Any])?["value"] as? [String: Any]
        #expect((api?["endpoint"] as? String)?.isEmpty == false)
        let hosts =
            ((document["kubeone_hosts"] as? [String: Any])?["value"] as? [String: Any])?["control_plane"]
            as? [String: Any]
        #expect(hosts?["cloud_provider"] as? String == "aws")
        #expect(hosts?["cluster_name"] as? String == "kkp-test")
        #expect((hosts?["private_address"] as? [String])?.count == 3)
        #expect((hosts?["public_address"] as? [String])?.count == 3)
        let workers = (document["kubeone_workers"] as? [String: Any])?["value"] as? [String: Any]
        let pool = workers?["kkp-test-pool1"] as? [String: Any]
        let annotations = (pool?["providerSpec"] as? [String: Any])?["annotations"] as? [String: String]
        #expect(annotations?["cluster.k8s.io/cluster-api-autoscaler-node-group-max-size"] == "5")
    }

    /// The functions the jobs share decode Bitbucket's base64 keys, refuse what is neither, and
    /// fill in every KKP secret the same way on every run, with nothing left unfilled.
    @Test func theSharedShellFunctionsDecodeAndFillIn() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for file in try KKPFixtures.repository(git: .bitbucket, extra: ["monitoring": "true"]) {
            try directory.write(file.path, file.contents)
        }
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk kubeone@test"
        let encoded = Data(key.utf8).base64EncodedString()
        func bash(_ script: String, _ environment: [String: String?] = [:]) async throws -> CommandResult {
            try await run(
                "bash", ["-euo", "pipefail", "-c", "source scripts/kkp.sh\n" + script], in: directory.path,
                environment: environment)
        }
        for value in [key, encoded] {
            let result = try await bash(
                "kkp_ssh_public_key; printf '%s' \"$TF_VAR_ssh_public_key\"", ["SSH_PUBLIC_KEY": value])
            #expect(result.status == 0 && result.standardOutput == key, "\(result.standardError)")
        }
        let garbage = try await bash("kkp_ssh_public_key", ["SSH_PUBLIC_KEY": "not a key"])
        #expect(garbage.status == 1)
        #expect(
            garbage.standardError.contains("the secret SSH_PUBLIC_KEY is neither the file's contents nor their base64"))
        let missing = try await bash("kkp_ssh_public_key", ["SSH_PUBLIC_KEY": ""])
        #expect(missing.standardError.contains("the secret SSH_PUBLIC_KEY is empty or not set"))

        let secrets: [String: String?] = [
            "KKP_SECRET_SEED": String(repeating: "s", count: 40),
            "KKP_ADMIN_PASSWORD_HASH": "$2y$10$" + String(repeating: "h", count: 53),
        ]
        let render = "kkp_render_kubermatic; cat \"$KKP_TMP\"/kubermatic/*.yaml"
        let first = try await bash(render, secrets)
        try #require(first.status == 0, "\(first.standardError)")
        #expect(!first.standardOutput.contains("${secret:"))
        #expect(first.standardOutput.contains("hash: \"$2y$10$hhhh"))
        #expect(first.standardOutput.firstMatch(of: /issuerCookieKey: "[0-9a-f]{32}"/) != nil)
        #expect(try await bash(render, secrets).standardOutput == first.standardOutput, "the same on every run")
        var otherSeed = secrets
        otherSeed["KKP_SECRET_SEED"] = String(repeating: "t", count: 40)
        #expect(try await bash(render, otherSeed).standardOutput != first.standardOutput)
        // The checkout keeps its placeholders.
        let configuration = try String(
            contentsOfFile: "\(directory.path)/kubermatic/kubermatic-configuration.yaml", encoding: .utf8)
        #expect(configuration.contains("${secret:issuer-cookie-key}"))

        var shortSeed = secrets
        shortSeed["KKP_SECRET_SEED"] = "short"
        let short = try await bash(render, shortSeed)
        #expect(
            short.status == 1
                && short.standardError.contains("KKP_SECRET_SEED is missing or shorter than 32 characters"))
        var plainPassword = secrets
        plainPassword["KKP_ADMIN_PASSWORD_HASH"] = "hunter22"
        let plain = try await bash(render, plainPassword)
        #expect(plain.status == 1 && plain.standardError.contains("KKP_ADMIN_PASSWORD_HASH is not a bcrypt hash"))
    }

    /// The shared functions as adoption writes them (sops, Google credentials, GitLab's state) pass
    /// shellcheck, and the Google key reaches the tools both ways the wizard stored it.
    @Test(arguments: [("github", "gce"), ("bitbucket", "gce"), ("gitlab", "aws")])
    func adoptedSharedFunctionsPassShellcheck(git: String, cloud: String) async throws {
        let wizard = try WizardRepository.detect(WizardFixtures.repository(git: git, cloud: cloud))
        let files = try KKPAdoption.files(
            for: wizard, given: ["git-owner": .init("acme"), "git-repository": .init("platform")])
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for file in files { try directory.write(file.path, file.contents) }
        let check = try await run(
            "shellcheck", ["--shell=bash", "--severity=style", "scripts/kkp.sh"], in: directory.path)
        #expect(check.status == 0, "\(git) \(cloud): \(check.standardOutput)")
        guard cloud == "gce" else { return }
        let key = #"{"type": "service_account", "project_id": "acme-platform"}"#
        let variable = git == "bitbucket" ? "GCLOUD_SERVICE_KEY" : "GOOGLE_CREDENTIALS"
        let value = git == "bitbucket" ? Data(key.utf8).base64EncodedString() : key
        var environment: [String: String?] = ["GOOGLE_CREDENTIALS": ""]
        environment[variable] = value
        let result = try await run(
            "bash",
            [
                "-euo", "pipefail", "-c",
                "source scripts/kkp.sh; kkp_google_credentials; printf '%s|' \"$GOOGLE_CREDENTIALS\"; cat \"$GOOGLE_APPLICATION_CREDENTIALS\"",
            ], in: directory.path, environment: environment)
        #expect(result.standardOutput == key + "|" + key + "\n", "\(result.standardError)")
    }
}
