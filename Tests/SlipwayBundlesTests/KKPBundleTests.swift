import Foundation
import SlipwayBundles
import SlipwayCore
import SlipwayTesting
import Testing
import Yams

/// The repository `init --preset kkp` writes: its layout, its pipeline, and what it must never hold.
@Suite struct KKPBundleTests {
    @Test(arguments: KKPFixtures.variants.map(\.name))
    func everyTemplateRendersCompletely(variant: String) throws {
        let (_, git, extra) = try #require(KKPFixtures.variants.first { $0.name == variant })
        let files = try KKPFixtures.repository(git: git, extra: extra)
        for file in files {
            #expect(!file.path.contains("__cluster__") && !file.path.hasSuffix(".mustache"), "\(file.path)")
            // A mustache tag left behind; `${{ … }}` (GitHub expressions) is not one.
            #expect(file.contents.firstMatch(of: /(^|[^$])\{\{/) == nil, "\(file.path) kept a tag")
            // Python keeps two blank lines between definitions (PEP 8).
            if !file.path.hasSuffix(".py") {
                #expect(!file.contents.contains("\n\n\n"), "\(file.path) has a run of blank lines")
            }
            #expect(file.contents.hasSuffix("\n") && !file.contents.hasPrefix("\n"), "\(file.path)")
        }
        let paths = Set(files.map(\.path))
        let cloud = extra["cloud"] ?? "aws"
        for path in [
            ".gitignore", "README.md", "slipway.yml", "scripts/kkp.sh", "kubeone/kubeone.yaml",
            "kubeone/addons/00_kubermatic-ns.yaml", "kubeone/addons/01_kubermatic-sc.yaml",
            "kubermatic/kubermatic-configuration.yaml", "kubermatic/values.yaml", "kubermatic/cluster-issuer.yaml",
            "terraform/\(cloud)/main.tf", "terraform/\(cloud)/variables.tf", "terraform/\(cloud)/outputs.tf",
            "terraform/\(cloud)/versions.tf", "terraform/\(cloud)/terraform.tfvars",
            "flux/clusters/kkp-test/kubermatic/seed.yaml", "flux/clusters/kkp-test/kubermatic/project.yaml",
            "flux/clusters/kkp-test/kubermatic/user.yaml", "flux/clusters/kkp-test/kubermatic/userprojectbinding.yaml",
            "flux/clusters/kkp-test/kubermatic/preset.yaml",
        ] {
            #expect(paths.contains(path), "\(variant) lacks \(path)")
        }
        // Only the chosen cloud's Terraform.
        let other = cloud == "aws" ? "gcp" : "aws"
        #expect(!paths.contains { $0.hasPrefix("terraform/\(other)/") }, "\(variant) has \(other)'s Terraform")
        // GitLab keeps the state in its managed Terraform state: no bucket to prepare or name.
        let backend =
            cloud == "aws"
            ? ["terraform/aws/backend.hcl", "terraform/aws/prepare-backend.sh", "terraform/aws/dns/backend.hcl"]
            : ["terraform/gcp/backend.hcl", "terraform/gcp/prepare-backend.py"]
        for path in backend { #expect(paths.contains(path) == (git != .gitlab), "\(variant): \(path)") }
        #expect(paths.contains("terraform/aws/dns/main.tf") == (cloud == "aws"))
        #expect(paths.contains("terraform/aws/dns/terraform.tfvars") == (extra["route53-zone"] != nil))
        let mla = ["monitoring", "logging", "alerting"].contains { extra[$0] == "true" }
        #expect(paths.contains("flux/clusters/kkp-test/mla/helmreleases.yaml") == mla)

        // Every YAML file parses, every manifest says what it is.
        for file in files where file.path.hasSuffix(".yaml") || file.path.hasSuffix(".yml") {
            let documents = try Array(Yams.load_all(yaml: file.contents))
            #expect(!documents.isEmpty, "\(file.path)")
            if file.path.hasPrefix("flux/") || file.path.hasPrefix("kubermatic/") || file.path.hasPrefix("kubeone/") {
                for case let document as [String: Any] in documents where !file.path.hasSuffix("values.yaml") {
                    #expect(document["apiVersion"] is String && document["kind"] is String, "\(file.path)")
                }
            }
        }
    }

    @Test(arguments: KKPFixtures.variants.map(\.name))
    func theSpecHasTheSeedsJobsAndOnlyTheDigestWarnings(variant: String) throws {
        let (_, git, extra) = try #require(KKPFixtures.variants.first { $0.name == variant })
        let files = try KKPFixtures.repository(git: git, extra: extra)
        let (pipeline, diagnostics) = try pipeline(of: files)
        var expected = [
            "terraform-kkp-validate", "terraform-kkp-dns-validate", "terraform-backend-prepare", "terraform-plan",
            "terraform-apply", "kubeone-validate", "kubeone-apply", "kubermatic-validate", "kkp-deploy", "dns-update",
            "flux-validate", "flux-bootstrap", "terraform-drift-check",
        ]
        if git == .gitlab { expected.removeAll { $0 == "terraform-backend-prepare" } }
        if extra["route53-zone"] == nil { expected.removeAll { $0 == "dns-update" } }
        if extra["cloud"] == "gcp" {
            // No Route53 on GCP; the API load balancer gets its other members after KubeOne.
            expected.removeAll { $0 == "terraform-kkp-dns-validate" }
            expected.insert("terraform-api-pool", at: expected.firstIndex(of: "kubeone-apply")! + 1)
        }
        #expect(pipeline.spec.jobs.map(\.name) == expected)
        #expect(pipeline.spec.platforms == [git == .github ? .github : git == .gitlab ? .gitlab : .bitbucket])
        #expect(pipeline.spec.repository == "acme/platform")
        #expect(!pipeline.spec.schedule.isEmpty)
        // Only the tools whose digests `slipway tools lock` reads are warned about; nothing else.
        let others = diagnostics.filter {
            guard case .toolWithoutDigests = $0.kind else { return true }
            return false
        }
        #expect(others.isEmpty, "\(others)")
        // Every secret the pipeline asks for is listed in the README, with what to put in it.
        let readme = try #require(files.first { $0.path == "README.md" }).contents
        for secret in pipeline.spec.secrets { #expect(readme.contains("`\(secret)`"), "\(variant): \(secret)") }
        #expect(readme.contains("slipway run"))
        // With a role, no static key is asked for anywhere.
        if extra["aws-role"] != nil {
            #expect(!pipeline.spec.secrets.contains("AWS_SECRET_ACCESS_KEY"))
            #expect(pipeline.spec.oidc.aws?.role == extra["aws-role"])
        }
        // On GCP: nothing of AWS's; workload identity instead of a key when given.
        if extra["cloud"] == "gcp" {
            #expect(!pipeline.spec.secrets.contains { $0.hasPrefix("AWS_") || $0.hasPrefix("KUBEONE_AWS") })
            #expect(pipeline.spec.env.first { $0.name == "GOOGLE_PROJECT" }?.value == "acme-platform")
            #expect(pipeline.spec.tools.map(\.name).contains("aws") == false)
            let workloadIdentity = extra["gcp-workload-identity-provider"]
            #expect(pipeline.spec.secrets.contains("GOOGLE_CREDENTIALS") == (workloadIdentity == nil))
            #expect(pipeline.spec.oidc.gcp?.provider == workloadIdentity)
            #expect(pipeline.spec.oidc.gcp?.serviceAccount == extra["gcp-service-account"])
            for job in pipeline.spec.jobs where job.mutates {
                #expect(
                    job.secrets.contains("GOOGLE_CREDENTIALS") || job.oidc.contains(.gcp), "\(job.name) has no access")
            }
        }
    }

    /// Pull requests get feedback for every area, not only Terraform as the wizard gave.
    @Test func pullRequestsCheckEveryArea() throws {
        let (pipeline, _) = try pipeline(of: try KKPFixtures.repository(git: .github))
        let cases: [(String, [String])] = [
            ("terraform/aws/main.tf", ["terraform-kkp-validate", "terraform-plan"]),
            ("kubeone/kubeone.yaml", ["kubeone-validate"]),
            ("kubermatic/values.yaml", ["kubermatic-validate"]),
            ("flux/clusters/kkp-test/kubermatic/project.yaml", ["flux-validate"]),
            ("terraform/aws/dns/main.tf", ["terraform-kkp-dns-validate"]),
        ]
        for (path, jobs) in cases {
            let plan = Planner().plan(pipeline, event: .pullRequest, changes: ChangeSet(paths: [path]))
            #expect(plan.selectedIDs == jobs, "\(path)")
        }
        // The wizard's pull requests ran nothing for these.
        let all = Planner().plan(
            pipeline, event: .pullRequest,
            changes: ChangeSet(paths: ["kubeone/kubeone.yaml", "kubermatic/values.yaml", "flux/clusters/x.yaml"]))
        #expect(Set(all.selectedIDs) == ["kubeone-validate", "kubermatic-validate", "flux-validate"])
    }

    /// A push of `kubermatic/values.yaml` alone deploys KKP (and the DNS, whose target the
    /// installer may have changed) without running Terraform or KubeOne again.
    @Test func aKubermaticChangeAloneDeploysOnlyKKP() throws {
        let (pipeline, _) = try pipeline(
            of: try KKPFixtures.repository(git: .github, extra: ["route53-zone": "example.com"]))
        let marks = pipeline.instances.reduce(into: [String: SlipwayCore.Mark]()) { marks, instance in
            marks[instance.id] = SlipwayCore.Mark(
                commit: "a", fingerprint: instance.fingerprint, succeededAt: Date(timeIntervalSince1970: 0))
        }
        let changes = Dictionary(
            uniqueKeysWithValues: ["a"].map { ($0, ChangeSet(paths: ["kubermatic/values.yaml"])) })
        let plan = Planner().converge(
            pipeline, event: .push, Convergence(head: "b", marks: marks, changesSince: changes))
        #expect(plan.selectedIDs == ["kubermatic-validate", "kkp-deploy", "dns-update"])
    }

    /// The state bucket, the project and the admin get identifiers from the seed: the same seed
    /// writes the same repository, another seed another bucket.
    @Test func identifiersComeFromTheSeed() throws {
        let answers = try KKPFixtures.answers(git: .github)
        let one = try KKPBundle.repository(answers, seed: 1)
        #expect(try KKPBundle.repository(answers, seed: 1) == one)
        let other = try KKPBundle.repository(answers, seed: 2)
        let bucket = { (files: [GeneratedFile]) in files.first { $0.path == "terraform/aws/backend.hcl" }?.contents }
        #expect(bucket(one) != bucket(other))
        let hcl = try #require(bucket(one))
        let name = try #require(hcl.firstMatch(of: /bucket = "([a-z0-9-]+)"/)?.1)
        #expect(name.count <= 63 && name.hasPrefix("tf-state-kkp-test-"))
        let spec = try #require(one.first { $0.path == "slipway.yml" }).contents
        #expect(spec.contains("TF_STATE_BUCKET: \(name)"))
    }

    /// Nothing secret is written: no key material, and every secret placeholder in kubermatic/ is
    /// one the deploy fills in.
    @Test func noSecretIsEverWritten() throws {
        for variant in KKPFixtures.variants {
            let files = try KKPFixtures.repository(git: variant.git, extra: variant.extra)
            for file in files {
                #expect(file.contents.firstMatch(of: /-----BEGIN [A-Z ]*PRIVATE KEY-----/) == nil, "\(file.path)")
                #expect(file.contents.range(of: #"AKIA[0-9A-Z]{16}"#, options: .regularExpression) == nil)
                #expect(file.contents.range(of: #"\$2[aby]\$[0-9]{2}\$"#, options: .regularExpression) == nil)
            }
            // Every placeholder is one the deploy fills in: `${secret:` followed by a name.
            for file in files where file.path.hasPrefix("kubermatic/") {
                let opened = file.contents.components(separatedBy: "${secret:").count - 1
                let named = file.contents.matches(of: /\$\{secret:[a-z0-9-]+\}/).count
                #expect(opened == named, "\(file.path) has a placeholder kkp-deploy cannot fill")
            }
            let configuration = try #require(files.first { $0.path == "kubermatic/kubermatic-configuration.yaml" })
            #expect(configuration.contents.contains("issuerCookieKey: \"${secret:issuer-cookie-key}\""))
            let gitignore = try #require(files.first { $0.path == ".gitignore" }).contents
            for pattern in [".env", "*.tfstate", "kubeone/*-kubeconfig", "k8s_rsa*"] {
                #expect(gitignore.contains(pattern))
            }
        }
    }

    /// Every file `init` renders, per variant, and what `--adopt` writes for the wizard's GitHub
    /// repository, as golden files (`RECORD_SNAPSHOTS=1` re-records them), with the list of paths,
    /// so a template change shows in review as the change it makes, once per distinct rendering.
    @Test(arguments: KKPFixtures.variants.map(\.name) + ["kkp-adopted-github"])
    func goldenRepositories(variant: String) throws {
        let files: [GeneratedFile]
        if let found = KKPFixtures.variants.first(where: { $0.name == variant }) {
            files = try KKPFixtures.repository(git: found.git, extra: found.extra)
        } else {
            files = try KKPAdoption.files(
                for: try WizardRepository.detect(WizardFixtures.awsRepository()),
                given: ["git-owner": .init("acme"), "git-repository": .init("platform")])
        }
        let listing = files.map(\.path).joined(separator: "\n") + "\n"
        if let difference = Snapshot.compare(listing, fixture: "bundle-\(variant)", name: "files.txt") {
            Issue.record(Comment(rawValue: difference))
        }
        // The goldens of the variants before this one hold what it renders the same.
        let earlier = KKPFixtures.variants.prefix { $0.name != variant }
        let references = try earlier.map { try KKPFixtures.repository(git: $0.git, extra: $0.extra) }
        expectGoldenFiles(files, fixture: "bundle-\(variant)", resources: "kkp/repository", references: references)
    }
}
