import SlipwayBundles
import SlipwayCore
import SlipwayTesting
import Testing

/// Reading what the KKP start wizard generated, across its template generations and providers
/// (../shared/kkp-wizard.md).
@Suite struct WizardRepositoryTests {
    @Test func theV024GitHubAWSBundleIsReadCompletely() throws {
        let wizard = try WizardRepository.detect(WizardFixtures.awsRepository())
        #expect(wizard.git == .github && wizard.pipelineFile == ".github/workflows/kkp.yaml")
        #expect(wizard.cloud == "aws" && wizard.terraformRoot == "terraform/aws")
        #expect(wizard.clusterName == "focused-kare" && wizard.region == "eu-central-1")
        #expect(
            wizard.backend
                == .s3(
                    bucket: "tf-state-kkp-dtsypf2kaeqk", key: "terraform-kkp.tfstate", region: "eu-central-1",
                    lockTable: "terraform-state-kkp-locks-dtsypf2kaeqk"))
        #expect(wizard.kkpVersion == "v2.19.2" && wizard.storageClass == "aws")
        #expect(wizard.fluxPath == "flux/clusters/master" && wizard.gitPersonal == true)
        #expect(wizard.gitOwner == nil && wizard.gitRepository == nil, "taken from github.repository at run time")
        #expect(wizard.image == "quay.io/kubermatic/startio-ci:v0.2.4-0")
        #expect(wizard.hasDNS && wizard.hasBackendScript)
        #expect(
            wizard.secrets == [
                "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "SSH_PUBLIC_KEY", "SSH_PRIVATE_KEY",
                "SOPS_AGE_SECRET_KEY", "TOKEN_GITHUB",
            ])
        #expect(wizard.unknown.map(\.subject) == ["repository"])
    }

    /// Adoption asks only for what neither the repository nor a flag says; no cloud but AWS needs
    /// a region.
    @Test func adoptionAsksOnlyForWhatNothingSays() throws {
        let wizard = try WizardRepository.detect(WizardFixtures.awsRepository())
        #expect(KKPAdoption.unanswered(for: wizard, given: [:]).map(\.key) == ["git-owner", "git-repository"])
        #expect(
            KKPAdoption.unanswered(
                for: wizard, given: ["git-owner": GivenAnswer("acme"), "git-repository": GivenAnswer(" ")]
            ).map(\.key) == ["git-repository"], "an empty answer is no answer")
        let gce = try WizardRepository.detect(WizardFixtures.repository(git: "github", cloud: "gce"))
        #expect(!KKPAdoption.unanswered(for: gce, given: [:]).map(\.key).contains("region"))
    }

    /// v0.2.3 differs in the image tag and the KKP release; without the installer's VERSION the
    /// release comes from the Flux source of KKP's charts.
    @Test func otherGenerationsAndTheFluxSourceFallback() throws {
        let v023 = WizardFixtures.githubWorkflow(image: "quay.io/kubermatic/startio-ci:v0.2.3-0", kkp: "v2.18.4")
        var files = WizardFixtures.awsRepository(pipeline: (".github/workflows/kkp.yaml", v023))
        var wizard = try WizardRepository.detect(files)
        #expect(wizard.image == "quay.io/kubermatic/startio-ci:v0.2.3-0" && wizard.kkpVersion == "v2.18.4")

        files[".github/workflows/kkp.yaml"] = v023.replacingOccurrences(of: "export VERSION=v2.18.4", with: "")
        wizard = try WizardRepository.detect(files)
        #expect(wizard.kkpVersion == "v2.19.2")
        #expect(wizard.found.contains { $0.detail == "v2.19.2 (the Flux source of KKP's charts)" })
    }

    /// v2.18 bundles had no provider folder and an S3 backend without its bucket (passed to
    /// terraform init); the cloud then comes from kubeone.yaml, and the missing bucket is named.
    @Test func theV218LayoutIsReadWithWhatItLacks() throws {
        var files: [String: String] = [:]
        for (path, text) in WizardFixtures.awsRepository() {
            files[path.replacingOccurrences(of: "terraform/aws/", with: "terraform/")] = text
        }
        files["terraform/backend.tf"] = "terraform {\n  backend \"s3\" {}\n}\n"
        let wizard = try WizardRepository.detect(files)
        #expect(wizard.terraformRoot == "terraform" && wizard.cloud == "aws")
        #expect(wizard.backend == nil)
        #expect(wizard.unknown.contains { $0.subject == "state" && $0.detail.contains("names no bucket") })
        #expect(throws: KKPAdoption.Refusal.self) {
            try KKPAdoption.files(
                for: wizard, given: ["git-owner": .init("acme"), "git-repository": .init("platform")])
        }

        // The v2.18 pipeline completed the backend at terraform init; adoption does the same.
        files[".github/workflows/kkp.yaml"] = WizardFixtures.githubWorkflow().replacingOccurrences(
            of: "terraform init\n          terraform plan",
            with:
                "terraform init -backend-config=\"bucket=tf-state-kkp-abc123\" -backend-config=\"region=eu-west-1\"\n          terraform plan"
        )
        let v218 = try WizardRepository.detect(files)
        #expect(
            v218.backend
                == .s3(bucket: "tf-state-kkp-abc123", key: "terraform-kkp.tfstate", region: "eu-west-1", lockTable: nil)
        )
        #expect(
            v218.backendArguments == ["bucket=tf-state-kkp-abc123", "region=eu-west-1", "key=terraform-kkp.tfstate"])
        let adopted = try KKPAdoption.files(
            for: v218, given: ["git-owner": .init("acme"), "git-repository": .init("platform")])
        let spec = try #require(adopted.first { $0.path == "slipway.yml" }).contents
        #expect(
            spec.contains(
                #"terraform -chdir="$TF_ROOT" init -input=false -backend-config="bucket=tf-state-kkp-abc123" -backend-config="region=eu-west-1" -backend-config="key=terraform-kkp.tfstate""#
            ))
        #expect(SpecValidator.pipeline(text: spec).pipeline != nil)
        // Without the workflow's arguments, the bucket name in the git-ignored secrets.md serves.
        files[".github/workflows/kkp.yaml"] = WizardFixtures.githubWorkflow()
        files["secrets.md"] = "# Secrets\n\nTerraform state bucket: tf-state-kkp-xyz789\n"
        #expect(try WizardRepository.detect(files).backendArguments.first == "bucket=tf-state-kkp-xyz789")
    }

    /// The provider folder names the cloud; Bitbucket's and GitLab's pipeline files name the Git
    /// provider; a GCS backend is read.
    @Test func cloudsAndGitProviders() throws {
        var files: [String: String] = [:]
        for (path, text) in WizardFixtures.awsRepository(pipeline: ("bitbucket-pipelines.yml", "pipelines: {}\n")) {
            files[path.replacingOccurrences(of: "terraform/aws/", with: "terraform/gce/")] = text
        }
        files["terraform/gce/backend.tf"] =
            "terraform {\n  backend \"gcs\" {\n    prefix = \"terraform-kkp\"\n    bucket = \"tf-state-kkp-2veabiowgixc\"\n  }\n}\n"
        let wizard = try WizardRepository.detect(files)
        #expect(wizard.git == .bitbucket && wizard.cloud == "gce")
        #expect(wizard.backend == .gcs(bucket: "tf-state-kkp-2veabiowgixc", prefix: "terraform-kkp"))
        #expect(wizard.storageClass == "gce")
    }

    /// The owner and name come from the clone's origin when the workflow did not name them.
    @Test(arguments: [
        ("git@github.com:acme/platform.git", "acme", "platform"),
        ("https://github.com/acme/platform", "acme", "platform"),
        ("https://oauth2:glpat-secret@gitlab.example.com/group/sub/platform.git", "group/sub", "platform"),
        ("ssh://git@github.example.com:22/acme/platform.git", "acme", "platform"),
    ])
    func theOriginNamesTheRepository(url: String, owner: String, name: String) throws {
        var files = WizardFixtures.awsRepository()
        files[".git/config"] =
            "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = \(url)\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
        let wizard = try WizardRepository.detect(files)
        #expect(wizard.gitOwner == owner && wizard.gitRepository == name)
        #expect(wizard.unknown.isEmpty)
        #expect(!wizard.found.contains { $0.detail.contains("glpat-secret") }, "a token in the URL is never shown")
    }

    @Test func whatIsMissingIsNamed() {
        #expect(throws: WizardRepository.NotAWizardRepository.self) { try WizardRepository.detect([:]) }
        do {
            _ = try WizardRepository.detect(["kubeone/kubeone.yaml": "x", ".gitlab-ci.yml": "x"])
            Issue.record("a repository without kubermatic/ and terraform/ must be refused")
        } catch {
            #expect(
                error.missing == [
                    "kubermatic/values.yaml", "kubermatic/kubermatic-configuration.yaml",
                    "terraform/<provider>/main.tf",
                ])
        }
    }
}
