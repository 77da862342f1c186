import Foundation
import SlipwayCore

/// What `init --preset kkp --adopt` writes around a wizard repository.
///
/// That is `slipway.yml` with the wizard's jobs and the shared `scripts/kkp.sh`; the CLI adds the CI
/// file and removes the old pipeline file. Every existing file stays as it is.
public enum KKPAdoption {
    /// Why this repository cannot be adopted (yet), or what must be answered first.
    public struct Refusal: Error, Sendable, Equatable {
        /// What stops adoption.
        public var message: String
        /// What to do about it.
        public var notes: [String]
    }

    /// The answers adoption takes (as flags); everything else comes from the repository's files.
    public static let answerKeys: Set<String> = [
        "git-owner", "git-repository", "git-personal", "git-hostname", "region", "kkp-version", "cluster-name",
        "kubernetes-version",
    ]

    /// The answers adoption needs that neither the repository nor `given` says, in the order they
    /// are asked: each key with what it is.
    public static func unanswered(for wizard: WizardRepository, given: [String: GivenAnswer]) -> [(
        key: String, meaning: String
    )] {
        func answered(_ key: String) -> Bool {
            !(given[key]?.value.trimmingCharacters(in: .whitespaces).isEmpty ?? true)
        }
        var keys: [(key: String, meaning: String)] = []
        if !answered("git-owner"), wizard.gitOwner == nil {
            keys.append(("git-owner", "the account or organization that owns the repository"))
        }
        if !answered("git-repository"), wizard.gitRepository == nil {
            keys.append(("git-repository", "the repository's name"))
        }
        // The region comes from the variables, the S3 backend or the old pipeline (WizardRepository).
        if !answered("region"), wizard.region == nil, wizard.cloud == "aws" {
            keys.append(("region", "the AWS region the cluster runs in"))
        }
        if !answered("kkp-version"), wizard.kkpVersion == nil {
            keys.append(("kkp-version", "the KKP release that runs now, such as v2.21.1"))
        }
        return keys
    }

    /// The files adoption writes for `wizard`, with `given` answers (flags) filling in or
    /// correcting what the repository did not say.
    public static func files(
        for wizard: WizardRepository, given: [String: KKPAnswers.Given]
    ) throws(Refusal) -> [GeneratedFile] {
        let bucket: String?
        var backendRegion = ""
        switch (wizard.backend, wizard.cloud) {
        case (.s3(let name, _, let region, _), "aws"):
            (bucket, backendRegion) = (name, region)
        case (.gcs(let name, _), "gce"):
            bucket = name
        case (.gitlab, _):
            bucket = nil
        case (nil, _):
            throw Refusal(
                message: "\(wizard.terraformRoot) keeps its Terraform state nowhere Slipway can find",
                notes: wizard.unknown.filter { $0.subject == "state" }.map(\.detail)
                    + ["write the backend block (bucket, key, region) into \(wizard.terraformRoot)/backend.tf"])
        default:
            throw Refusal(
                message: "adopting a wizard repository on \(wizard.cloud) with this state backend is not available yet",
                notes: ["found \(wizard.found.first { $0.subject == "state" }?.detail ?? "no state backend")"])
        }
        guard let defaults = cloudSecrets[wizard.cloud] else {
            throw Refusal(
                message: "adopting a wizard repository on \(wizard.cloud) is not available yet",
                notes: ["found \(wizard.terraformRoot); AWS, GCE, Azure, OpenStack and vSphere are known"])
        }
        // The cloud's credentials under the names the old pipeline used, else the wizard's names.
        let used = wizard.secrets.filter { name in defaults.contains(name) || name == "GCLOUD_SERVICE_KEY" }
        var credentials = used.isEmpty ? defaults : used
        if wizard.cloud == "gce", used.isEmpty, wizard.git == .bitbucket { credentials = ["GCLOUD_SERVICE_KEY"] }
        func answer(_ key: String) -> String? { given[key]?.value.trimmingCharacters(in: .whitespaces) }
        let missing = unanswered(for: wizard, given: given)
        let owner = answer("git-owner") ?? wizard.gitOwner
        let name = answer("git-repository") ?? wizard.gitRepository
        let region = answer("region") ?? wizard.region ?? (backendRegion.isEmpty ? nil : backendRegion)
        let kkpVersion = answer("kkp-version") ?? wizard.kkpVersion
        guard missing.isEmpty, let owner, let name, let kkpVersion else {
            throw Refusal(
                message: "the repository does not say everything the pipeline needs",
                notes: missing.map { "pass --\($0.key): \($0.meaning)" })
        }
        let personal =
            answer("git-personal").map { ["true", "yes", "on"].contains($0.lowercased()) }
            ?? wizard.gitPersonal ?? false
        // The token flux bootstrap used, under the wizard's name; Bitbucket pushes over SSH.
        let fluxToken: String?
        switch wizard.git {
        case .github:
            fluxToken = wizard.secrets.first { $0.contains("GITHUB") && $0.contains("TOKEN") } ?? "TOKEN_GITHUB"
        case .gitlab:
            fluxToken = wizard.secrets.first { $0.contains("GITLAB") && $0.contains("TOKEN") } ?? "GITLAB_TOKEN"
        case .bitbucket: fluxToken = nil
        }
        var secrets = credentials + ["SSH_PRIVATE_KEY", "SSH_PUBLIC_KEY"]
        secrets += ["SOPS_AGE_SECRET_KEY"] + (fluxToken.map { [$0] } ?? [])
        let clusterName = answer("cluster-name") ?? wizard.clusterName ?? "master"
        // The tools the running cluster needs: kubectl at its version, the newest KubeOne that
        // supports it (KubeOne's compatibility tables), at that release's first patch.
        let kubernetes = answer("kubernetes-version") ?? wizard.kubernetesVersion ?? "1.31.4"
        let minor = kubernetes.split(separator: ".").dropFirst().first.flatMap { Int($0) } ?? 31
        guard let kubeone = kubeoneRelease(forKubernetesMinor: minor) else {
            throw Refusal(
                message:
                    "the cluster runs Kubernetes \(kubernetes), older than any KubeOne release Slipway knows supports",
                notes: ["upgrade it to 1.19 or later with the KubeOne it was installed with, then adopt"])
        }
        var context: [String: Any] = [
            "adopt": true, "git": wizard.git.rawValue, "github": wizard.git == .github,
            "gitlab": wizard.git == .gitlab, "bitbucket": wizard.git == .bitbucket,
            "defaultBranch": "main", "clusterName": clusterName,
            "environment": (wizard.fluxPath.map { ($0 as NSString).lastPathComponent }) ?? "master",
            "repositoryPath": "\(owner)/\(name)", "terraformRoot": wizard.terraformRoot, "region": region ?? "",
            "aws": wizard.cloud == "aws", "gce": wizard.cloud == "gce", "gcp": wizard.cloud == "gce",
            "s3": wizard.cloud == "aws" && bucket != nil, "gcs": wizard.cloud == "gce" && bucket != nil,
            "cloudSecrets": credentials.joined(separator: ", "),
            "kubectlVersion": kubernetes, "kubeoneVersion": kubeone,
            "backendArgs": wizard.backendArguments.map { " -backend-config=\"\($0)\"" }.joined(),
            "kubermaticConfiguration": wizard.kubermaticConfiguration,
            "kubermaticConfigurationName": (wizard.kubermaticConfiguration as NSString).lastPathComponent,
            "prepare": bucket != nil && wizard.hasBackendScript, "secretList": secrets.joined(separator: ", "),
            "image": wizard.image ?? "none",
            "installerVersion": kkpVersion.hasPrefix("v") ? String(kkpVersion.dropFirst()) : kkpVersion,
            "hasDNS": wizard.hasDNS, "storageClass": wizard.storageClass ?? "aws",
            "fluxPath": wizard.fluxPath ?? "flux/clusters/master", "gitOwner": owner, "gitRepository": name,
            "gitPersonal": personal ? "true" : "false",
            "gitHost": answer("git-hostname")
                ?? ["github": "github.com", "gitlab": "gitlab.com", "bitbucket": "bitbucket.org"][wizard.git.rawValue]!,
        ]
        if let bucket { context["stateBucket"] = bucket }
        if let fluxToken { context["fluxToken"] = fluxToken }
        do {
            let spec = try BundleResources.render(resource: "kkp/adopt/slipway.yml.mustache", context)
            let library = try BundleResources.render(resource: "kkp/repository/scripts/kkp.sh.mustache", context)
            return [
                GeneratedFile(path: "scripts/kkp.sh", contents: library),
                GeneratedFile(path: "slipway.yml", contents: spec),
            ]
        } catch {
            throw Refusal(
                message: "slipway's KKP bundle is broken: \(error)", notes: ["report it with `slipway --version`"])
        }
    }

    /// The newest KubeOne minor release that supports Kubernetes 1.`minor`, as `x.y.0`; nil below
    /// 1.19, and the newest known (1.13) above 1.35, which `slipway tools lock` then checks.
    static func kubeoneRelease(forKubernetesMinor minor: Int) -> String? {
        // KubeOne's "Supported Kubernetes Versions" tables, v1.3 to v1.13.
        let newest: [Int: String] = [
            19: "1.3", 20: "1.4", 21: "1.4", 22: "1.5", 23: "1.5", 24: "1.6", 25: "1.7", 26: "1.7", 27: "1.7",
            28: "1.8", 29: "1.9", 30: "1.9", 31: "1.9", 32: "1.10", 33: "1.11", 34: "1.12", 35: "1.13",
        ]
        if minor > 35 { return "1.13.0" }
        return newest[minor].map { "\($0).0" }
    }

    /// The cloud credentials the wizard's pipelines used, by cloud (kkp-wizard.md §1.6).
    static let cloudSecrets: [String: [String]] = [
        "aws": ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
        "gce": ["GOOGLE_CREDENTIALS"],
        "azure": ["ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET"],
        "openstack": ["OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_DOMAIN_NAME", "OS_TENANT_ID", "OS_TENANT_NAME"],
        "vsphere": ["VSPHERE_SERVER", "VSPHERE_USER", "VSPHERE_PASSWORD"],
    ]

}
