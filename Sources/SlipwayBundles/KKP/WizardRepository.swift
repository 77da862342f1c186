import Foundation

/// A repository the KKP start wizard generated, as `init --preset kkp --adopt` reads it
/// (../shared/kkp-wizard.md): where its parts are, the values its pipeline used, and what could not
/// be told from its files.
public struct WizardRepository: Sendable, Equatable {
    /// Where the wizard's Terraform state lived.
    public enum Backend: Sendable, Equatable {
        /// An S3 bucket (`backend.tf`), with the DynamoDB lock table when one was named.
        case s3(bucket: String, key: String, region: String, lockTable: String?)
        /// A GCS bucket.
        case gcs(bucket: String, prefix: String)
        /// GitLab's managed Terraform state (the wizard's GitLab bundles had no backend block).
        case gitlab
    }

    /// One thing adoption learned, assumed or could not tell, for the report.
    public struct Note: Sendable, Equatable {
        /// What it is about, such as "region".
        public var subject: String
        /// What was found or assumed, or what to do.
        public var detail: String
    }

    /// Why a directory is not a wizard repository: the expected files that are missing.
    public struct NotAWizardRepository: Error, Sendable, Equatable {
        /// The expected paths (or one of several alternatives) that are not there.
        public var missing: [String]
    }

    /// The Git provider, from the pipeline file.
    public var git: KKPAnswers.Git
    /// The wizard's pipeline file, which adoption replaces.
    public var pipelineFile: String
    /// The Terraform folder (`terraform/aws`; `terraform` in v2.18 bundles).
    public var terraformRoot: String
    /// The cloud, from the Terraform folder and the KubeOne manifest: `aws`, `gce`, `azure`, ….
    public var cloud: String
    /// The region, from the tfvars, the backend or the pipeline.
    public var region: String?
    /// The state backend.
    public var backend: Backend?
    /// What a partial backend block leaves to `terraform init -backend-config` (v2.18), as
    /// `name=value`.
    public var backendArguments: [String] = []
    /// The cluster's name, from the tfvars.
    public var clusterName: String?
    /// The KKP release the pipeline installs.
    public var kkpVersion: String?
    /// The KKP installer's `--storageclass`.
    public var storageClass: String?
    /// The folder `flux bootstrap --path` points at.
    public var fluxPath: String?
    /// The repository's owner, when the pipeline or the clone's origin names it.
    public var gitOwner: String?
    /// The repository's name, when the pipeline or the clone's origin names it.
    public var gitRepository: String?
    /// What `flux bootstrap --personal` was (the wizard hard-coded `true`).
    public var gitPersonal: Bool?
    /// The variables the old pipeline read that are not the platform's own (its secrets), in order
    /// of first use.
    public var secrets: [String]
    /// The container image its jobs ran in.
    public var image: String?
    /// The cluster's Kubernetes version, from `kubeone.yaml`, without a leading `v`.
    public var kubernetesVersion: String?
    /// The KubermaticConfiguration's file: `kubermatic/kubermatic-configuration.yaml`, or
    /// `kubermatic/kubermatic.yaml` in some bundles.
    public var kubermaticConfiguration = "kubermatic/kubermatic-configuration.yaml"
    /// Whether a DNS module (`terraform/aws/dns`) is there.
    public var hasDNS: Bool
    /// Whether the backend preparation script is there.
    public var hasBackendScript: Bool
    /// What was read, and from where.
    public var found: [Note]
    /// What was assumed, and why.
    public var assumed: [Note]
    /// What could not be told, and what to do about it.
    public var unknown: [Note]

    /// The pipeline files the wizard wrote, by Git provider.
    static let pipelineFiles: [(String, KKPAnswers.Git)] = [
        (".github/workflows/kkp.yaml", .github), (".github/workflows/kkp.yml", .github),
        (".gitlab-ci.yml", .gitlab), ("bitbucket-pipelines.yml", .bitbucket),
    ]

    /// Reads the wizard repository in `files` (path → contents, relative to the repository root).
    public static func detect(_ files: [String: String]) throws(NotAWizardRepository) -> WizardRepository {
        var missing: [String] = []
        let pipeline = pipelineFiles.first { files[$0.0] != nil }
        if pipeline == nil { missing.append(".github/workflows/kkp.yaml, .gitlab-ci.yml or bitbucket-pipelines.yml") }
        for path in ["kubeone/kubeone.yaml", "kubermatic/values.yaml"] where files[path] == nil {
            missing.append(path)
        }
        if files["kubermatic/kubermatic-configuration.yaml"] == nil, files["kubermatic/kubermatic.yaml"] == nil {
            missing.append("kubermatic/kubermatic-configuration.yaml")
        }
        // v2.19+: terraform/<provider>/main.tf; v2.18: terraform/main.tf.
        let roots = Set(
            files.keys.compactMap { path -> String? in
                guard path.hasPrefix("terraform/"), path.hasSuffix("/main.tf") else { return nil }
                let root = String(path.dropLast("/main.tf".count))
                return root.hasSuffix("/dns") ? nil : root
            })
        let terraformRoot = roots.sorted().first
        if terraformRoot == nil { missing.append("terraform/<provider>/main.tf") }
        guard missing.isEmpty, let (pipelineFile, git) = pipeline, let terraformRoot else {
            throw NotAWizardRepository(missing: missing)
        }
        var repository = WizardRepository(
            git: git, pipelineFile: pipelineFile, terraformRoot: terraformRoot, cloud: "aws", secrets: [],
            hasDNS: files["\(terraformRoot)/dns/main.tf"] != nil,
            hasBackendScript: files["\(terraformRoot)/setup_terraform_backend.sh"] != nil, found: [], assumed: [],
            unknown: [])
        if files["kubermatic/kubermatic-configuration.yaml"] == nil {
            repository.kubermaticConfiguration = "kubermatic/kubermatic.yaml"
        }
        repository.read(files)
        return repository
    }

    private mutating func read(_ files: [String: String]) {
        let pipelineText = files[pipelineFile] ?? ""
        let manifest = files["kubeone/kubeone.yaml"] ?? ""

        // The cloud: the Terraform folder's name (v2.19+), else the KubeOne manifest's provider.
        let folder = (terraformRoot as NSString).lastPathComponent
        if ["aws", "gce", "azure", "openstack", "vsphere"].contains(folder) {
            cloud = folder
            found.append(Note(subject: "cloud", detail: "\(folder) (the folder \(terraformRoot))"))
        } else if let provider = Self.first(#"cloudProvider:\s*\{?\s*\n?\s*([a-z]+):"#, in: manifest) {
            cloud = provider
            found.append(Note(subject: "cloud", detail: "\(provider) (cloudProvider in kubeone/kubeone.yaml)"))
        } else {
            assumed.append(
                Note(subject: "cloud", detail: "aws: neither the Terraform folder nor kubeone.yaml names one"))
        }

        kubernetesVersion = Self.first(#"kubernetes:\s*"?v?([0-9]+\.[0-9]+\.[0-9]+)"#, in: manifest)
        if let kubernetesVersion {
            found.append(Note(subject: "Kubernetes", detail: "\(kubernetesVersion) (kubeone/kubeone.yaml)"))
        } else {
            unknown.append(Note(subject: "Kubernetes", detail: "write versions.kubernetes into kubeone/kubeone.yaml"))
        }

        let tfvars = files["\(terraformRoot)/terraform.tfvars"] ?? ""
        clusterName = Self.first(#"(?m)^\s*cluster_name\s*=\s*"([^"]+)""#, in: tfvars)
        if let clusterName {
            found.append(Note(subject: "cluster name", detail: "\(clusterName) (\(terraformRoot)/terraform.tfvars)"))
        } else {
            unknown.append(
                Note(subject: "cluster name", detail: "set cluster_name in \(terraformRoot)/terraform.tfvars"))
        }

        // The backend: backend.tf (v2.19+), versions.tf or main.tf.
        let backendSources = ["backend.tf", "versions.tf", "main.tf"].map { "\(terraformRoot)/\($0)" }
        let backendFile = backendSources.first { files[$0]?.contains("backend \"") == true }
        let backendText = backendFile.flatMap { files[$0] } ?? ""
        func attribute(_ name: String) -> String? {
            Self.first(#"(?m)^\s*"# + name + #"\s*=\s*"([^"]+)""#, in: backendText)
        }
        if backendText.contains("backend \"s3\""), let bucket = attribute("bucket") {
            let table = attribute("dynamodb_table")
            backend = .s3(
                bucket: bucket, key: attribute("key") ?? "terraform-kkp.tfstate",
                region: attribute("region") ?? "", lockTable: table)
            found.append(
                Note(
                    subject: "state",
                    detail: "s3://\(bucket)/\(attribute("key") ?? "terraform-kkp.tfstate")"
                        + (table.map { ", locked with the DynamoDB table \($0)" } ?? "") + " (\(backendFile!))"))
        } else if backendText.contains("backend \"gcs\""), let bucket = attribute("bucket") {
            backend = .gcs(bucket: bucket, prefix: attribute("prefix") ?? "terraform-kkp")
            found.append(Note(subject: "state", detail: "gs://\(bucket) (\(backendFile!))"))
        } else if backendText.contains("backend \"http\"") || (git == .gitlab && backendFile == nil) {
            backend = .gitlab
            let source = backendFile.map { "backend \"http\" in \($0)" } ?? "no backend block"
            found.append(Note(subject: "state", detail: "GitLab's managed Terraform state \"kkp\" (\(source))"))
        } else if backendText.contains("backend \"s3\""),
            let bucket = Self.first(#"backend-config[= ]"?bucket=([a-z0-9.-]+)"#, in: pipelineText)
                ?? Self.first(#"(tf-state-kkp-[a-z0-9]+)"#, in: files["secrets.md"] ?? "")
        {
            // v2.18: a partial backend; the pipeline passed the bucket (and region) to terraform init.
            let region = Self.first(#"backend-config[= ]"?region=([a-z0-9-]+)"#, in: pipelineText) ?? ""
            backend = .s3(
                bucket: bucket, key: attribute("key") ?? "terraform-kkp.tfstate", region: region, lockTable: nil)
            backendArguments =
                ["bucket=\(bucket)"] + (region.isEmpty ? [] : ["region=\(region)"])
                + (attribute("key") == nil ? ["key=terraform-kkp.tfstate"] : [])
            found.append(
                Note(
                    subject: "state",
                    detail:
                        "s3://\(bucket), a partial backend in \(backendFile!) completed at terraform init, as the v2.18 pipeline did"
                ))
        } else if backendText.contains("backend \"s3\"") {
            unknown.append(
                Note(
                    subject: "state",
                    detail:
                        "the S3 backend in \(backendFile!) names no bucket; the wizard's v2.18 bundles passed it to terraform init (see secrets.md): write it into the backend block"
                ))
        } else {
            unknown.append(
                Note(
                    subject: "state",
                    detail: "no backend block in \(terraformRoot): Terraform would keep its state on the runner"))
        }

        region =
            Self.first(#"(?m)^\s*(?:aws_)?region\s*=\s*"([^"]+)""#, in: tfvars)
            ?? { if case .s3(_, _, let region, _) = backend, !region.isEmpty { return region } else { return nil } }()
            ?? Self.first(#"aws-region:\s*([a-z0-9-]+)"#, in: pipelineText)
        if let region {
            found.append(Note(subject: "region", detail: region))
        } else {
            unknown.append(Note(subject: "region", detail: "pass --region"))
        }

        // The KKP release: the installer's VERSION, else the Flux source's tag.
        let gitSource = files.first { $0.key.hasSuffix("/kubermatic-git-source.yaml") }?.value ?? ""
        if let version = Self.first(#"VERSION=(v[0-9]+\.[0-9]+\.[0-9]+)"#, in: pipelineText) {
            kkpVersion = version
            found.append(Note(subject: "KKP release", detail: "\(version) (the installer download in \(pipelineFile))"))
        } else if let version = Self.first(#"tag:\s*(v[0-9]+\.[0-9]+\.[0-9]+)"#, in: gitSource) {
            kkpVersion = version
            found.append(Note(subject: "KKP release", detail: "\(version) (the Flux source of KKP's charts)"))
        } else {
            unknown.append(Note(subject: "KKP release", detail: "pass --kkp-version with the release that runs now"))
        }

        storageClass = Self.first(#"--storageclass[= ]+([a-z-]+)"#, in: pipelineText)
        let expectedClass = ["aws": "aws", "gce": "gce", "azure": "azure"][cloud] ?? "copy-default"
        if let storageClass, storageClass != expectedClass {
            found.append(
                Note(
                    subject: "storage class",
                    detail:
                        "--storageclass \(storageClass) on \(cloud): the wizard hard-coded aws; the new pipeline uses \(expectedClass)"
                ))
        }
        storageClass = expectedClass

        fluxPath = Self.first(#"--path[= ]+\.?/?([A-Za-z0-9_./-]+)"#, in: pipelineText)
        if let fluxPath {
            found.append(Note(subject: "Flux path", detail: fluxPath))
        } else {
            assumed.append(Note(subject: "Flux path", detail: "flux/clusters/master, the wizard's"))
            fluxPath = "flux/clusters/master"
        }
        if let owner = Self.first(#"--owner[= ]+([A-Za-z0-9._/-]+)"#, in: pipelineText), !owner.contains("$") {
            gitOwner = owner
        }
        if let name = Self.first(#"--repository[= ]+([A-Za-z0-9._-]+)"#, in: pipelineText), !name.contains("$") {
            gitRepository = name
        }
        // The wizard's workflow took them from the CI at run time; the clone's origin names them.
        if gitOwner == nil || gitRepository == nil, let config = files[".git/config"],
            let origin = Self.first(#"\[remote "origin"\][^\[]*?url\s*=\s*(\S+)"#, in: config),
            let path = Self.first(#"^(?:[a-z+]+://)?(?:[^@/]+@)?[^:/]+[:/](?:\d+/)?(.+?)(?:\.git)?/?$"#, in: origin)
        {
            let parts = path.split(separator: "/").map(String.init)
            if parts.count >= 2 {
                gitOwner = gitOwner ?? parts.dropLast().joined(separator: "/")
                gitRepository = gitRepository ?? parts.last
                // A clone URL can hold a token (https://oauth2:glpat-…@host/…): never printed.
                let shown = origin.replacingOccurrences(of: #"//[^/@]+@"#, with: "//", options: .regularExpression)
                found.append(
                    Note(subject: "repository", detail: "\(gitOwner!)/\(gitRepository!) (the remote origin, \(shown))"))
            }
        }
        if gitOwner == nil || gitRepository == nil {
            unknown.append(
                Note(
                    subject: "repository",
                    detail:
                        "the old pipeline took owner and name from the CI at run time: pass --git-owner and --git-repository"
                ))
        }
        if let personal = Self.first(#"--personal[= ]+(true|false)"#, in: pipelineText) {
            gitPersonal = personal == "true"
            assumed.append(
                Note(
                    subject: "personal account",
                    detail:
                        "--personal=\(personal) as the old pipeline had it (the wizard hard-coded true); pass --git-personal false for an organization"
                ))
        }

        var seen: Set<String> = []
        let pattern: String
        switch git {
        case .github: pattern = #"secrets\.([A-Z][A-Z0-9_]*)"#
        case .gitlab, .bitbucket: pattern = #"\$\{?([A-Z][A-Z0-9_]*)"#
        }
        let predefined = ["CI_", "GITLAB_USER", "BITBUCKET_", "HOME", "PATH", "PWD", "VERSION", "KUBECONFIG"]
        for match in Self.all(pattern, in: pipelineText) where seen.insert(match).inserted {
            if git != .github, predefined.contains(where: { match.hasPrefix($0) }) { continue }
            secrets.append(match)
        }
        if !secrets.isEmpty { found.append(Note(subject: "secrets", detail: secrets.joined(separator: ", "))) }
        image = Self.first(#"(?m)^\s*(?:container|image):\s*([^\s{]+)"#, in: pipelineText)
        if let image {
            found.append(
                Note(subject: "image", detail: "\(image): replaced by pinned tools (slipway tools lock records them)"))
        }
    }

    /// The first capture of `pattern` in `text`.
    static func first(_ pattern: String, in text: String) -> String? {
        guard let expression = try? NSRegularExpression(pattern: pattern),
            let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            match.numberOfRanges > 1, let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }

    /// Every first capture of `pattern` in `text`, in order.
    static func all(_ pattern: String, in text: String) -> [String] {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
