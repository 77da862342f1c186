import Foundation
import SlipwayBundles
import SlipwayCore
import SlipwayTesting
import Testing
import Yams

/// The repository `init --preset kkp --cloud gcp` writes for `git` (a service account key, or
/// workload identity with `oidc`).
private func gcpRepository(git: KKPAnswers.Git = .github, oidc: Bool = false) throws -> [GeneratedFile] {
    try KKPFixtures.repository(git: git, extra: KKPFixtures.gcp(oidc: oidc))
}

/// Writes `files` into a new directory.
private func checkout(_ files: [GeneratedFile]) throws -> TemporaryDirectory {
    let directory = try TemporaryDirectory()
    for file in files { try directory.write(file.path, file.contents) }
    return directory
}

/// The KKP bundle on GCP: its state bucket against a GCS emulator that checks credentials as Google
/// does, its state in that bucket through Terraform's gcs backend, the two-phase API load balancer,
/// KubeOne's own key, and what a change runs.
///
/// The google provider cannot be installed here, so the control plane's Terraform itself is only
/// format-checked (KKPTerraformTests); everything around it runs for real.
@Suite struct KKPGCPTests {
    /// The bucket is created versioned with a service account key (its JWT verified), a second
    /// run (the key base64-encoded, as GitLab and Bitbucket store it) changes nothing, and the key
    /// never reaches the output.
    @Test func theStateBucketIsPreparedOnceWithAKey() async throws {
        let directory = try checkout(try gcpRepository())
        defer { directory.remove() }
        try await GCSServer.with(repository: repositoryRoot) { gcs in
            let key = try gcs.serviceAccountKey()
            var environment: [String: String?] = [
                "STORAGE_EMULATOR_HOST": gcs.endpoint, "TF_STATE_BUCKET": "kkp-gcp-state",
                "GOOGLE_PROJECT": "acme-platform", "GOOGLE_REGION": "europe-west3", "GOOGLE_CREDENTIALS": key,
                "GOOGLE_APPLICATION_CREDENTIALS": nil, "GOOGLE_OAUTH_ACCESS_TOKEN": nil,
            ]
            func prepare(_ arguments: [String] = []) async throws -> CommandResult {
                try await run(
                    "python3", ["terraform/gcp/prepare-backend.py"] + arguments, in: directory.path,
                    environment: environment)
            }
            let missing = try await prepare(["--check"])
            #expect(missing.status == 1)
            #expect(missing.standardError.contains("error: the state bucket kkp-gcp-state does not exist"))
            #expect(missing.standardError.contains("terraform-backend-prepare creates it"))

            let first = try await prepare()
            try #require(first.status == 0, "\(first.standardOutput)\(first.standardError)")
            #expect(first.standardOutput.contains("state bucket kkp-gcp-state: created in europe-west3"))
            #expect(first.standardOutput.contains("state bucket kkp-gcp-state is ready"))
            let created = try gcs.requests().filter { $0["kind"] == "storage" && $0["method"] == "POST" }
            #expect(created.map { $0["path"] } == ["/storage/v1/b"])

            environment["GOOGLE_CREDENTIALS"] = Data(key.utf8).base64EncodedString()
            let before = try gcs.requests().count
            let second = try await prepare()
            #expect(second.status == 0, "\(second.standardError)")
            #expect(second.standardOutput.contains("versioning: already on"))
            #expect(second.standardOutput.hasSuffix("state bucket kkp-gcp-state was already ready: nothing changed\n"))
            let later = try gcs.requests().dropFirst(before)
            #expect(later.map { "\($0["kind"]!) \($0["method"]!)" } == ["token POST", "storage GET"])
            #expect(try await prepare(["--check"]).standardOutput == "state bucket kkp-gcp-state: exists\n")

            // Versioned, as the emulator itself says.
            let bucket = try await run(
                "curl",
                [
                    "-sf", "-H", "Authorization: Bearer \(gcs.staticToken)",
                    "\(gcs.endpoint)/storage/v1/b/kkp-gcp-state",
                ],
                in: directory.path)
            #expect(bucket.standardOutput.contains(#""versioning":{"enabled":true}"#), "\(bucket.standardOutput)")
            let privateKey = try #require(key.firstMatch(of: /MII[A-Za-z0-9+\/]{20}/)).output
            for output in [first, second] {
                #expect(!(output.standardOutput + output.standardError).contains(privateKey))
            }
        }
    }

    /// With OIDC, the workload identity file CI writes is exchanged at STS, then the service
    /// account impersonated, and only that token reaches storage.
    @Test func workloadIdentityCredentialsPrepareTheBucket() async throws {
        let directory = try checkout(try gcpRepository(oidc: true))
        defer { directory.remove() }
        try await GCSServer.with(repository: repositoryRoot) { gcs in
            try directory.write("oidc/token", gcs.subjectToken)
            try directory.write(
                "oidc/credentials.json",
                try gcs.workloadIdentityConfiguration(tokenFile: "\(directory.path)/oidc/token"))
            let environment: [String: String?] = [
                "STORAGE_EMULATOR_HOST": gcs.endpoint, "TF_STATE_BUCKET": "kkp-oidc-state",
                "GOOGLE_PROJECT": "acme-platform", "GOOGLE_REGION": "europe-west3", "GOOGLE_CREDENTIALS": nil,
                "GOOGLE_APPLICATION_CREDENTIALS": "\(directory.path)/oidc/credentials.json",
                "GOOGLE_OAUTH_ACCESS_TOKEN": nil,
            ]
            let result = try await run(
                "python3", ["terraform/gcp/prepare-backend.py"], in: directory.path, environment: environment)
            #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
            #expect(result.standardOutput.contains("state bucket kkp-oidc-state is ready"))
            let kinds = try gcs.requests().map { $0["kind"]! }
            #expect(Array(kinds.prefix(2)) == ["sts", "impersonate"])
            #expect(
                try gcs.requests().allSatisfy {
                    $0["status"]!.hasPrefix("2") || $0["path"] == "/storage/v1/b/kkp-oidc-state"
                })

            // A token STS does not accept: a clear refusal, not a stack trace.
            try directory.write("oidc/token", "someone-elses-token")
            let refused = try await run(
                "python3", ["terraform/gcp/prepare-backend.py", "--check"], in: directory.path, environment: environment
            )
            #expect(refused.status == 1)
            #expect(refused.standardError.hasPrefix("error: Google's STS refused the CI's OIDC token (HTTP 400"))
            #expect(refused.standardError.contains("note: check the workload identity provider's attribute condition"))
        }
    }

    /// A key Google does not know (signed by another private key) is refused with what to do.
    @Test func aKeyGoogleDoesNotKnowIsRefused() async throws {
        let directory = try checkout(try gcpRepository(git: .bitbucket))
        defer { directory.remove() }
        try await GCSServer.with(repository: repositoryRoot) { gcs in
            let other = try await run("openssl", ["genrsa", "2048"], in: directory.path)
            let result = try await run(
                "python3", ["terraform/gcp/prepare-backend.py"], in: directory.path,
                environment: [
                    "STORAGE_EMULATOR_HOST": gcs.endpoint, "TF_STATE_BUCKET": "kkp-gcp-state",
                    "GOOGLE_PROJECT": "acme-platform", "GOOGLE_REGION": "europe-west3",
                    "GOOGLE_CREDENTIALS": try gcs.serviceAccountKey(signedBy: other.standardOutput),
                    "GOOGLE_APPLICATION_CREDENTIALS": nil, "GOOGLE_OAUTH_ACCESS_TOKEN": nil,
                ])
            #expect(result.status == 1)
            #expect(
                result.standardError == """
                    error: Google refused the service account key in GOOGLE_CREDENTIALS (HTTP 400: Invalid JWT Signature.)
                      note: the key may be disabled or deleted: check it under IAM → Service accounts → Keys

                    """)
            #expect(try gcs.requests().allSatisfy { $0["kind"] == "token" }, "nothing reached storage")
        }
    }

    /// Terraform keeps its state in the prepared bucket through backend.hcl and the gcs backend
    /// (the same backend block as terraform/gcp): a second apply finds it, and every state written
    /// stays as a version.
    @Test func terraformKeepsItsStateInThePreparedBucket() async throws {
        let files = try gcpRepository()
        let directory = try checkout(files)
        defer { directory.remove() }
        // The repository's backend block and backend.hcl, around a resource Terraform has built in.
        let versions = try #require(files.first { $0.path == "terraform/gcp/versions.tf" }).contents
        #expect(versions.contains("backend \"gcs\" {}"))
        try directory.write(
            "state-check/main.tf",
            "terraform {\n  backend \"gcs\" {}\n}\n\nresource \"terraform_data\" \"marker\" {\n  input = \"kkp\"\n}\n")
        let backend = try #require(files.first { $0.path == "terraform/gcp/backend.hcl" }).contents
        try directory.write("state-check/backend.hcl", backend)
        let bucket = try #require(backend.firstMatch(of: /bucket = "([a-z0-9-]+)"/)?.1)
        try await GCSServer.with(repository: repositoryRoot) { gcs in
            var environment: [String: String?] = [
                "STORAGE_EMULATOR_HOST": gcs.endpoint, "TF_STATE_BUCKET": String(bucket),
                "GOOGLE_PROJECT": "acme-platform", "GOOGLE_REGION": "europe-west3",
                "GOOGLE_OAUTH_ACCESS_TOKEN": gcs.staticToken, "GOOGLE_CREDENTIALS": nil,
                "GOOGLE_APPLICATION_CREDENTIALS": nil, "TF_IN_AUTOMATION": "1",
            ]
            let prepared = try await run(
                "python3", ["terraform/gcp/prepare-backend.py"], in: directory.path, environment: environment)
            try #require(prepared.status == 0, "\(prepared.standardError)")
            environment["STORAGE_EMULATOR_HOST"] = nil
            let module = "\(directory.path)/state-check"
            let initialize = try await run(
                "terraform",
                [
                    "init", "-input=false", "-no-color", "-backend-config=backend.hcl",
                    "-backend-config=storage_custom_endpoint=\(gcs.endpoint)/storage/v1/",
                ], in: module, environment: environment)
            try #require(initialize.status == 0, "\(initialize.standardOutput)\(initialize.standardError)")
            let first = try await run(
                "terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], in: module,
                environment: environment)
            #expect(
                first.standardOutput.contains("Resources: 1 added"), "\(first.standardOutput)\(first.standardError)")
            let second = try await run(
                "terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], in: module,
                environment: environment)
            #expect(second.standardOutput.contains("Resources: 0 added, 0 changed, 0 destroyed"))
            let objects = try await run(
                "curl",
                [
                    "-sf", "-H", "Authorization: Bearer \(gcs.staticToken)",
                    "\(gcs.endpoint)/storage/v1/b/\(bucket)/o?versions=true&prefix=kkp/default.tfstate",
                ], in: directory.path)
            #expect(objects.standardOutput.components(separatedBy: "\"name\":\"kkp/default.tfstate\"").count - 1 >= 1)
            // Terraform's lock object was taken and released: no lock is left behind.
            let lock = try await run(
                "curl",
                [
                    "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer \(gcs.staticToken)",
                    "\(gcs.endpoint)/storage/v1/b/\(bucket)/o/kkp%2Fdefault.tflock",
                ], in: directory.path)
            #expect(lock.standardOutput == "404")
        }
    }

    /// The API load balancer starts with one member and keeps what the state says: kkp.sh reads it
    /// from a real Terraform state (no state: 1; an applied pool of 3: 3).
    @Test func thePlanKeepsThePoolsMembersAsTheStateHasThem() async throws {
        let directory = try checkout(try gcpRepository())
        defer { directory.remove() }
        let script = """
            source scripts/kkp.sh
            kkp_gcp_pool_members >/dev/null
            echo "members=$TF_VAR_control_plane_target_pool_members_count"
            """
        try directory.write(
            "pool/main.tf",
            "output \"control_plane_target_pool_members\" {\n  value = var.members\n}\n\nvariable \"members\" {\n  type = number\n}\n"
        )
        let environment: [String: String?] = ["TF_ROOT": "pool", "TF_IN_AUTOMATION": "1"]
        let before = try await run("bash", ["-c", script], in: directory.path, environment: environment)
        #expect(before.standardOutput == "members=1\n", "\(before.standardError)")
        let apply = try await run(
            "terraform", ["apply", "-auto-approve", "-input=false", "-no-color", "-var", "members=3"],
            in: "\(directory.path)/pool", environment: environment)
        try #require(apply.status == 0, "\(apply.standardOutput)\(apply.standardError)")
        let after = try await run("bash", ["-c", script], in: directory.path, environment: environment)
        #expect(after.standardOutput == "members=3\n", "\(after.standardError)")
        // The plan never adds members itself; the pool is sliced to what the pipeline asks.
        let main = try #require(try gcpRepository().first { $0.path == "terraform/gcp/main.tf" }).contents
        #expect(
            main.contains(
                "instances     = slice(google_compute_instance.control_plane[*].self_link, 0, local.pool_members)"))
    }

    /// KubeOne gets its own key as the JSON itself in its credentials file, from the secret as it
    /// is or base64-encoded, and the file is private.
    @Test func kubeOneGetsItsOwnKey() async throws {
        let directory = try checkout(try gcpRepository(git: .gitlab))
        defer { directory.remove() }
        let key =
            #"{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n", "client_email": "kubeone@acme-platform.iam.gserviceaccount.com"}"#
        for secret in [key, Data(key.utf8).base64EncodedString()] {
            let result = try await run(
                "bash",
                [
                    "-c",
                    "source scripts/kkp.sh; kkp_kubeone_credentials; stat -c %a \"$KKP_TMP/kubeone-credentials.yaml\"; cat \"$KKP_TMP/kubeone-credentials.yaml\"",
                ], in: directory.path, environment: ["KUBEONE_GOOGLE_CREDENTIALS": secret])
            try #require(result.status == 0, "\(result.standardError)")
            let lines = result.standardOutput.split(separator: "\n", maxSplits: 1)
            #expect(lines.first == "600")
            let parsed = try #require(try Yams.load(yaml: String(lines[1])) as? [String: String])
            #expect(parsed["GOOGLE_CREDENTIALS"] == key + "\n")
        }
    }

    /// The README says how to make the two service accounts, with the roles each needs (the state
    /// bucket's only where the state is in GCS), and asks for no key when CI uses workload identity.
    @Test func theReadmeSaysHowToMakeTheServiceAccounts() throws {
        for (git, oidc) in [(KKPAnswers.Git.github, false), (.gitlab, false), (.github, true)] {
            let readme = try #require(try gcpRepository(git: git, oidc: oidc).first { $0.path == "README.md" }).contents
            let createsKey = readme.contains(
                "gcloud iam service-accounts keys create kkp-ci.json --iam-account kkp-ci@acme-platform.iam.gserviceaccount.com"
            )
            #expect(createsKey == !oidc, "\(git) oidc \(oidc)")
            #expect(readme.contains("roles/storage.admin") == (git != .gitlab), "\(git)")
            #expect(readme.contains("`KUBEONE_GOOGLE_CREDENTIALS`"))
            #expect(readme.contains("GCP project acme-platform"))
            #expect(!readme.contains("security groups") && !readme.contains("Route53"))
        }
    }

    /// KubeOne's GCE cloud config uses the provider's own spellings (gcfg silently drops others),
    /// and sends the cloud controller to its mounted key, since the nodes' account has no roles.
    @Test func theCloudConfigIsWhatTheProviderReads() throws {
        let files = try gcpRepository()
        let manifest = try #require(files.first { $0.path == "kubeone/kubeone.yaml" }).contents
        let parsed = try #require(try Yams.load(yaml: manifest) as? [String: Any])
        let provider = try #require(parsed["cloudProvider"] as? [String: Any])
        #expect(provider["external"] as? Bool == true)
        let lines = (provider["cloudConfig"] as? String ?? "").split(separator: "\n").map(String.init)
        #expect(lines == ["[global]", "regional = true", "multizone = true", "token-url = \"nil\""])
        let main = try #require(files.first { $0.path == "terraform/gcp/main.tf" }).contents
        #expect(!main.contains("google_project_iam"), "the nodes' service account gets no role")
    }

    /// What a change runs on GCP: pull requests plan, a push of kubeone/ provisions and then puts
    /// every node behind the API load balancer, and a kubermatic change touches neither.
    @Test func whatAChangeRuns() throws {
        let (pipeline, _) = try pipeline(of: try gcpRepository())
        let pullRequest = Planner().plan(
            pipeline, event: .pullRequest, changes: ChangeSet(paths: ["terraform/gcp/main.tf"]))
        #expect(pullRequest.selectedIDs == ["terraform-kkp-validate", "terraform-plan"])
        let marks = pipeline.instances.reduce(into: [String: SlipwayCore.Mark]()) { marks, instance in
            marks[instance.id] = SlipwayCore.Mark(
                commit: "a", fingerprint: instance.fingerprint, succeededAt: Date(timeIntervalSince1970: 0))
        }
        func push(_ paths: [String]) -> [String] {
            Planner().converge(
                pipeline, event: .push,
                Convergence(head: "b", marks: marks, changesSince: ["a": ChangeSet(paths: paths)])
            ).selectedIDs
        }
        #expect(
            push(["kubeone/kubeone.yaml"]) == ["kubeone-apply", "terraform-api-pool", "kkp-deploy", "flux-bootstrap"])
        #expect(push(["kubermatic/values.yaml"]) == ["kubermatic-validate", "kkp-deploy"])
        // The first push runs everything, the pool after KubeOne.
        let first = Planner().converge(pipeline, event: .push, Convergence(head: "b", marks: [:], changesSince: [:]))
        let order = first.selectedIDs
        #expect(order.firstIndex(of: "terraform-api-pool")! > order.firstIndex(of: "kubeone-apply")!)
    }
}
