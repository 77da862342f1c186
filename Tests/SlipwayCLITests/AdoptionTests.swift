import Crypto
import Foundation
import SlipwayTesting
import Testing

/// Writes `files` into a new git repository with a short history, as a wizard user's repository.
private func wizardRepository(_ files: [String: String]) async throws -> TemporaryGitRepository {
    let repository = try await TemporaryGitRepository.create()
    let sorted = files.sorted { $0.key < $1.key }
    for (path, contents) in sorted.prefix(sorted.count / 2) { try repository.write(path, contents) }
    _ = try await repository.commit("Initial setup for KKP on Autopilot")
    for (path, contents) in sorted.dropFirst(sorted.count / 2) { try repository.write(path, contents) }
    _ = try await repository.commit("Add the rest of the bundle")
    return repository
}

/// SHA-256 of every file below `directory` (without .git and .slipway), by path.
private func digests(_ directory: String) -> [String: String] {
    var result: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(atPath: directory)
    while let path = enumerator?.nextObject() as? String {
        if path.hasPrefix(".git/") || path == ".git" || path.hasPrefix(".slipway") { continue }
        guard let data = FileManager.default.contents(atPath: "\(directory)/\(path)") else { continue }
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: "\(directory)/\(path)", isDirectory: &isDirectory)
        if isDirectory.boolValue { continue }
        result[path] = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
    return result
}

/// Adopts `repository` with `--yes` and the owner and name as flags, requires success, and expects
/// every file but `except` (the wizard's pipeline) unchanged; returns the result and the digests
/// before and after.
private func adoptKeepingFiles(_ repository: TemporaryGitRepository, except: String) async throws -> (
    CommandResult, [String: String], [String: String]
) {
    let before = digests(repository.path)
    let result = try await slipway.run(
        ["init", "--preset", "kkp", "--adopt", "--yes", "--git-owner", "acme", "--git-repository", "platform"],
        in: repository.path)
    try #require(result.status == 0, "\(result.standardOutput)\(result.standardError)")
    let after = digests(repository.path)
    for (path, digest) in before where path != except { #expect(after[path] == digest, "\(path) changed") }
    return (result, before, after)
}

/// End-to-end: `slipway init --preset kkp --adopt` on repositories shaped as the wizard wrote them.
@Suite struct AdoptionTests {
    /// The wizard's GitHub/AWS repository gets Slipway's pipeline around its files, which stay
    /// byte for byte; the wizard's workflow goes; what was found and assumed is reported.
    @Test func aGitHubWizardRepositoryIsAdoptedAroundItsFiles() async throws {
        let repository = try await wizardRepository(WizardFixtures.awsRepository())
        defer { repository.remove() }
        let before = digests(repository.path)
        let result = try await slipway.run(
            ["init", "--preset", "kkp", "--adopt", "--git-owner", "acme", "--git-repository", "platform"],
            in: repository.path)
        try #require(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        for line in [
            "cloud: aws (the folder terraform/aws)", "cluster name: focused-kare (terraform/aws/terraform.tfvars)",
            "state: s3://tf-state-kkp-dtsypf2kaeqk/terraform-kkp.tfstate, locked with the DynamoDB table terraform-state-kkp-locks-dtsypf2kaeqk",
            "region: eu-central-1", "KKP release: v2.19.2", "Flux path: flux/clusters/master",
            "secrets: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, SSH_PUBLIC_KEY, SSH_PRIVATE_KEY, SOPS_AGE_SECRET_KEY, TOKEN_GITHUB",
            "image: quay.io/kubermatic/startio-ci:v0.2.4-0", "personal account: --personal=true",
            "created   slipway.yml", "created   scripts/kkp.sh", "created   .github/workflows/slipway.yml",
            "removed   .github/workflows/kkp.yaml",
        ] {
            #expect(result.standardOutput.contains(line), "missing: \(line)\n\(result.standardOutput)")
        }
        // Every existing file but the old workflow is unchanged, byte for byte.
        let after = digests(repository.path)
        for (path, digest) in before where path != ".github/workflows/kkp.yaml" {
            #expect(after[path] == digest, "\(path) changed")
        }
        #expect(after[".github/workflows/kkp.yaml"] == nil)
        #expect(
            Set(after.keys).subtracting(before.keys) == [
                "slipway.yml", "scripts/kkp.sh", ".github/workflows/slipway.yml",
            ])

        let validate = try await slipway.run(["validate"], in: repository.path)
        #expect(validate.status == 0, "\(validate.standardError)")
        let check = try await slipway.run(["generate", "--check"], in: repository.path)
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")

        // The point of adopting: per-job selection. A push of kubermatic/values.yaml deploys KKP
        // alone; a pull request gets feedback for kubeone/, kubermatic/ and flux/.
        func plan(_ event: String, _ paths: [String]) async throws -> [String] {
            let result = try await slipway.run(
                ["plan", "--event", event, "--format", "json"] + paths.flatMap { ["--changed", $0] },
                in: repository.path)
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
                "\(result.standardError)")
            return (object["selected"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(
            try await plan("push", ["kubermatic/values.yaml"]) == ["kubermatic-validate", "kkp-deploy", "dns-update"])
        #expect(
            try await plan(
                "pull_request",
                ["kubeone/kubeone.yaml", "kubermatic/values.yaml", "flux/clusters/master/kubermatic/seed.yaml"])
                == ["kubeone-validate", "kubermatic-validate", "flux-validate"])

        let spec = try String(contentsOfFile: "\(repository.path)/slipway.yml", encoding: .utf8)
        #expect(spec.contains("--owner=acme --repository=platform"))
        #expect(spec.contains("--personal=true"))
        #expect(spec.contains("TF_STATE_BUCKET: tf-state-kkp-dtsypf2kaeqk"))
        #expect(spec.contains("--storageclass aws"))
        #expect(spec.contains("kubermatic-installer: 2.19.2"))
        // The wizard's cluster runs Kubernetes 1.23.3: KubeOne 1.5 is the newest that manages it.
        #expect(spec.contains("kubeone: 1.5.0") && spec.contains("kubectl: 1.23.3"))
        #expect(result.standardOutput.contains("Kubernetes: 1.23.3 (kubeone/kubeone.yaml)"))
    }

    /// Template generation v0.2.3 differs in its image and KKP release; it is adopted the same way.
    @Test func theV023GenerationIsAdopted() async throws {
        let workflow = WizardFixtures.githubWorkflow(image: "quay.io/kubermatic/startio-ci:v0.2.3-0", kkp: "v2.18.4")
        let repository = try await wizardRepository(
            WizardFixtures.awsRepository(pipeline: (".github/workflows/kkp.yaml", workflow)))
        defer { repository.remove() }
        let (result, _, after) = try await adoptKeepingFiles(repository, except: ".github/workflows/kkp.yaml")
        #expect(result.standardOutput.contains("image: quay.io/kubermatic/startio-ci:v0.2.3-0"))
        #expect(after[".github/workflows/kkp.yaml"] == nil)
        let spec = try String(contentsOfFile: "\(repository.path)/slipway.yml", encoding: .utf8)
        #expect(spec.contains("kubermatic-installer: 2.18.4"))
        let check = try await slipway.run(["generate", "--check"], in: repository.path)
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
    }

    /// What the repository does not say must be given, and is asked for by name.
    @Test func whatCannotBeToldIsAskedFor() async throws {
        let repository = try await wizardRepository(WizardFixtures.awsRepository())
        defer { repository.remove() }
        let result = try await slipway.run(["init", "--preset", "kkp", "--adopt"], in: repository.path)
        #expect(result.status == 2)
        #expect(
            result.standardOutput.contains("repository: the old pipeline took owner and name from the CI at run time"))
        #expect(result.standardError.contains("error: the repository does not say everything the pipeline needs"))
        #expect(result.standardError.contains("pass --git-owner"))
        #expect(FileManager.default.fileExists(atPath: "\(repository.path)/.github/workflows/kkp.yaml"))
        #expect(!FileManager.default.fileExists(atPath: "\(repository.path)/slipway.yml"))
    }

    /// The clone's origin names the repository; on a terminal, what is still unknown is asked.
    @Test func theOriginOrAPromptNamesTheRepository() async throws {
        let repository = try await wizardRepository(WizardFixtures.awsRepository())
        defer { repository.remove() }
        _ = try await repository.git("remote", "add", "origin", "git@github.com:acme/platform.git")
        let fromOrigin = try await slipway.run(["init", "--preset", "kkp", "--adopt", "--yes"], in: repository.path)
        #expect(fromOrigin.status == 0, "\(fromOrigin.standardError)")
        #expect(fromOrigin.standardOutput.contains("repository: acme/platform (the remote origin"))

        let script = try requireTool("script")
        let asked = try await wizardRepository(WizardFixtures.awsRepository())
        defer { asked.remove() }
        let result = try await SlipwayBinary(path: script).run(
            ["-qec", "\(slipway.path) init --preset kkp --adopt --no-color", "/dev/null"], in: asked.path,
            input: "acme\nplatform\n")
        #expect(result.status == 0, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("Repository owner (user, organization or group): "))
        let spec = try String(contentsOfFile: "\(asked.path)/slipway.yml", encoding: .utf8)
        #expect(spec.contains("repository: acme/platform"))
    }

    /// A directory that is not a wizard repository is refused with the files it lacks.
    @Test func aRepositoryTheWizardDidNotWriteIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("README.md", "# something else\n")
        try directory.write("kubeone/kubeone.yaml", "kind: KubeOneCluster\n")
        let result = try await slipway.run(["init", ".", "--preset", "kkp", "--adopt"], in: directory.path)
        #expect(result.status == 2)
        #expect(
            result.standardError.contains("error: this directory is not a repository the KKP start wizard generated"))
        #expect(
            result.standardError.contains(
                "missing: .github/workflows/kkp.yaml, .gitlab-ci.yml or bitbucket-pipelines.yml"))
        #expect(result.standardError.contains("missing: kubermatic/values.yaml"))
        #expect(result.standardError.contains("missing: terraform/<provider>/main.tf"))
        #expect(!result.standardError.contains("missing: kubeone/kubeone.yaml"))
    }

    /// The wizard's GitLab (managed state) and Bitbucket (S3 state, SSH push) repositories are
    /// adopted the same way: every file kept, the old pipeline replaced, selection per job.
    @Test(arguments: ["gitlab", "bitbucket"])
    func gitLabAndBitbucketWizardRepositoriesAreAdopted(git: String) async throws {
        var files: [String: String]
        let ciFile: String
        if git == "gitlab" {
            files = WizardFixtures.awsRepository(pipeline: (".gitlab-ci.yml", WizardFixtures.gitlabPipeline))
            files["terraform/aws/backend.tf"] = "terraform {\n  backend \"http\" {}\n}\n"
            ciFile = ".gitlab-ci.yml"
        } else {
            files = WizardFixtures.awsRepository(
                pipeline: ("bitbucket-pipelines.yml", WizardFixtures.bitbucketPipeline))
            ciFile = "bitbucket-pipelines.yml"
        }
        let repository = try await wizardRepository(files)
        defer { repository.remove() }
        let (result, before, after) = try await adoptKeepingFiles(repository, except: ciFile)
        #expect(after[ciFile] != before[ciFile], "the wizard's pipeline is replaced by the generated one")
        #expect(result.standardOutput.contains("updated   \(ciFile)"), "\(result.standardOutput)")
        let validate = try await slipway.run(["validate"], in: repository.path)
        #expect(validate.status == 0, "\(validate.standardError)")
        let check = try await slipway.run(["generate", "--check"], in: repository.path)
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
        let spec = try String(contentsOfFile: "\(repository.path)/slipway.yml", encoding: .utf8)
        if git == "gitlab" {
            #expect(result.standardOutput.contains("state: GitLab's managed Terraform state"))
            #expect(
                spec.contains("kkp_gitlab_state kkp")
                    && spec.contains("GITLAB_TOKEN=$GITLAB_TOKEN flux bootstrap gitlab"))
            #expect(!spec.contains("terraform-backend-prepare"))
        } else {
            #expect(spec.contains("flux bootstrap git --url=ssh://git@bitbucket.org/acme/platform.git"))
            #expect(spec.contains("terraform-backend-prepare"))
        }
    }

    /// Every cloud the wizard offered, with the Git providers it offered them on: the cloud's
    /// credentials keep the old pipeline's names, and the installer gets the cloud's storage class.
    @Test(arguments: [
        ("github", "gce", "gce", "GOOGLE_CREDENTIALS"), ("bitbucket", "gce", "gce", "GCLOUD_SERVICE_KEY"),
        ("gitlab", "gce", "gce", "GOOGLE_CREDENTIALS"), ("gitlab", "azure", "azure", "ARM_CLIENT_SECRET"),
        ("gitlab", "openstack", "copy-default", "OS_PASSWORD"),
        ("gitlab", "vsphere", "copy-default", "VSPHERE_PASSWORD"),
    ])
    func everyCloudIsAdopted(git: String, cloud: String, storageClass: String, secret: String) async throws {
        let repository = try await wizardRepository(WizardFixtures.repository(git: git, cloud: cloud))
        defer { repository.remove() }
        let ciFile =
            ["github": ".github/workflows/kkp.yaml", "gitlab": ".gitlab-ci.yml"][git] ?? "bitbucket-pipelines.yml"
        let (result, _, _) = try await adoptKeepingFiles(repository, except: ciFile)
        #expect(result.standardOutput.contains("cloud: \(cloud) (the folder terraform/\(cloud))"))
        let validate = try await slipway.run(["validate"], in: repository.path)
        #expect(validate.status == 0, "\(validate.standardError)")
        let spec = try String(contentsOfFile: "\(repository.path)/slipway.yml", encoding: .utf8)
        #expect(spec.contains("--storageclass \(storageClass)"))
        #expect(spec.contains(secret) && !spec.contains("AWS_SECRET_ACCESS_KEY"))
        #expect(spec.contains("kkp_google_credentials") == (cloud == "gce"))
        #expect(spec.contains("gcloud storage buckets describe") == (cloud == "gce" && git != "gitlab"))
    }
}
