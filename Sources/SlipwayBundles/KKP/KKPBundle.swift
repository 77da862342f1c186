import Foundation
import Mustache
import SlipwayCore

/// A cloud a bundle can set a cluster up on.
public enum BundleCloud: String, Sendable, CaseIterable {
    /// Amazon Web Services.
    case aws
    /// Google Cloud.
    case gcp

    /// The cloud as people name it: AWS, GCP.
    public var displayName: String { rawValue.uppercased() }
}

/// Why a bundle cannot produce what was asked.
public enum BundleError: Error, Equatable, Sendable {
    /// A resource the package should carry is missing or broken (a packaging mistake).
    case missingResource(String)
}

/// The repository `slipway init --preset kkp` writes: Terraform → KubeOne → KKP installer → DNS →
/// Flux (../shared/kkp-wizard.md, docs/decisions.md).
///
/// The files are package resources under `Resources/kkp/repository/`, laid out as in the written
/// repository: a file ending in `.mustache` is rendered with the answers (and the suffix dropped),
/// any other is copied; `__cluster__` in a path becomes the cluster's name; a file that renders
/// empty is not written. A cloud's Terraform sits under `terraform/<cloud>/`; adding a cloud is
/// adding that folder plus its sections in `kubeone.yaml`, the Seed, the storage-class addon and
/// `slipway.yml` (credentials, region), and a case in `BundleCloud`.
public enum KKPBundle {
    /// Every file of the repository for `answers`, in path order, without the CI file (which
    /// `slipway generate` writes from the `slipway.yml` among them).
    ///
    /// `seed` makes the generated identifiers (the state bucket's suffix, the project's and the
    /// admin's ids) reproducible; `init` draws it at random.
    public static func repository(_ answers: KKPAnswers, seed: UInt64) throws(BundleError) -> [GeneratedFile] {
        let context = Self.context(answers, seed: seed)
        var files: [GeneratedFile] = []
        for resource in try BundleResources.files(under: "kkp/repository") {
            let path = resource.path.replacingOccurrences(of: "__cluster__", with: answers.clusterName)
            if path.hasPrefix("terraform/"), !path.hasPrefix("terraform/\(answers.cloud.rawValue)/") { continue }
            if let file = try BundleResources.file(resource, at: path, context) { files.append(file) }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The values the templates refer to.
    static func context(_ answers: KKPAnswers, seed: UInt64) -> [String: Any] {
        var ids = SeededIdentifiers(seed: seed)
        let gitHost =
            answers.gitHostname
            ?? ["github": "github.com", "gitlab": "gitlab.com", "bitbucket": "bitbucket.org"][answers.git.rawValue]!
        let mla = answers.monitoring || answers.logging || answers.alerting
        var charts: [[String: String]] = []
        if answers.monitoring {
            for name in ["prometheus", "grafana", "node-exporter", "kube-state-metrics", "blackbox-exporter"] {
                charts.append(["name": name, "namespace": "monitoring", "chart": "charts/monitoring/\(name)"])
            }
        }
        if answers.alerting {
            for name in ["alertmanager", "karma"] {
                charts.append(["name": name, "namespace": "monitoring", "chart": "charts/monitoring/\(name)"])
            }
        }
        if answers.logging {
            for name in ["loki", "promtail"] {
                charts.append(["name": name, "namespace": "logging", "chart": "charts/logging/\(name)"])
            }
        }
        if answers.monitoring || answers.alerting {
            charts.append(["name": "iap", "namespace": "iap", "chart": "charts/iap"])
        }
        let remoteURL = "git@\(gitHost):\(answers.gitOwner)/\(answers.gitRepository).git"
        var context: [String: Any] = [
            "git": answers.git.rawValue,
            "github": answers.git == .github, "gitlab": answers.git == .gitlab, "bitbucket": answers.git == .bitbucket,
            "gitName": ["github": "GitHub", "gitlab": "GitLab", "bitbucket": "Bitbucket"][answers.git.rawValue]!,
            "cloud": answers.cloud.rawValue, "aws": answers.cloud == .aws, "gcp": answers.cloud == .gcp,
            "cloudName": answers.cloud == .aws ? "AWS" : "Google Cloud",
            // The installer's --storageclass names KKP's provider types (`gcp`); only the installers
            // before the cobra rewrite (2.18-2.20) took `gce` (docs/decisions.md).
            "storageClass": answers.cloud == .aws ? "aws" : "gcp",
            "clusterName": answers.clusterName, "kubernetesVersion": answers.kubernetesVersion,
            "autoscalerMin": answers.autoscalerMin, "autoscalerMax": answers.autoscalerMax,
            "region": answers.region, "country": country(of: answers.region),
            "workerType": answers.workerType, "controlPlaneType": answers.controlPlaneType,
            "kkpVersion": answers.kkpVersion, "installerVersion": String(answers.kkpVersion.dropFirst()),
            "endpoint": answers.endpoint, "adminEmail": answers.adminEmail, "issuerEmail": answers.issuerEmail,
            "monitoring": answers.monitoring, "logging": answers.logging, "alerting": answers.alerting,
            "mla": mla, "iap": answers.monitoring || answers.alerting, "charts": charts,
            "valuesNamespaces": Array(Set(charts.compactMap { $0["namespace"] })).sorted(),
            "allowedEmailDomain": answers.allowedEmailDomain, "projectName": answers.projectName,
            "datacenter": answers.datacenter,
            "dns": answers.cloud == .aws && answers.route53Zone != nil,
            "awsCLI": answers.cloud == .aws && answers.git != .gitlab,
            "gitOwner": answers.gitOwner, "gitRepository": answers.gitRepository,
            "gitPersonal": answers.gitPersonal ? "true" : "false", "gitHost": gitHost,
            "repositoryPath": "\(answers.gitOwner)/\(answers.gitRepository)", "remoteURL": remoteURL,
            "defaultBranch": "main", "ciFile": answers.git.ciFile,
            "stateBucket": "tf-state-\(answers.clusterName)-\(ids.lowercase(8))",
            "projectID": ids.lowercase(10), "userID": ids.lowercase(16),
            "adminUserID": ids.uuid(), "telemetryID": ids.uuid(),
        ]
        if let zone = answers.route53Zone { context["route53Zone"] = zone }
        // The pipeline's cloud credentials: OIDC when a role (AWS) or a workload identity provider
        // (GCP) was given, else keys as CI secrets; KubeOne always gets a key of its own.
        let cloudSecrets: [String]
        let kubeoneSecrets: [String]
        switch answers.cloud {
        case .aws:
            context["staticKeys"] = answers.awsRole == nil
            cloudSecrets = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
            kubeoneSecrets = ["KUBEONE_AWS_ACCESS_KEY_ID", "KUBEONE_AWS_SECRET_ACCESS_KEY"]
        case .gcp:
            context["staticKeys"] = answers.gcpWorkloadIdentityProvider == nil
            cloudSecrets = ["GOOGLE_CREDENTIALS"]
            kubeoneSecrets = ["KUBEONE_GOOGLE_CREDENTIALS"]
        }
        context["cloudSecrets"] = cloudSecrets.joined(separator: ", ")
        context["cloudSecretList"] = cloudSecrets
        context["kubeoneSecrets"] = kubeoneSecrets.joined(separator: ", ")
        context["kubeoneSecretList"] = kubeoneSecrets
        if let role = answers.awsRole { context["awsRole"] = role }
        if let project = answers.gcpProject { context["gcpProject"] = project }
        if let provider = answers.gcpWorkloadIdentityProvider { context["gcpProvider"] = provider }
        if let account = answers.gcpServiceAccount { context["gcpServiceAccount"] = account }
        if let hostname = answers.gitHostname { context["gitHostname"] = hostname }
        switch answers.git {
        case .github: context["fluxToken"] = "FLUX_GITHUB_TOKEN"
        case .gitlab: context["fluxToken"] = "FLUX_GITLAB_TOKEN"
        case .bitbucket: context["fluxToken"] = "FLUX_SSH_PRIVATE_KEY"
        }
        return context
    }

    /// The two-letter country a region's datacenter is in, for the Seed (the dashboard shows its
    /// flag); regions not listed get the continent's usual one, which seed.yaml lets you change.
    static func country(of region: String) -> String {
        let known = [
            "eu-central-1": "DE", "eu-central-2": "CH", "eu-west-1": "IE", "eu-west-2": "GB", "eu-west-3": "FR",
            "eu-north-1": "SE", "eu-south-1": "IT", "eu-south-2": "ES", "ca-central-1": "CA", "sa-east-1": "BR",
            "ap-northeast-1": "JP", "ap-northeast-2": "KR", "ap-northeast-3": "JP", "ap-southeast-1": "SG",
            "ap-southeast-2": "AU", "ap-south-1": "IN", "ap-east-1": "HK", "me-central-1": "AE", "af-south-1": "ZA",
            "europe-west1": "BE", "europe-west2": "GB", "europe-west3": "DE", "europe-west4": "NL",
            "europe-west6": "CH", "europe-north1": "FI", "asia-northeast1": "JP", "australia-southeast1": "AU",
        ]
        if let country = known[region] { return country }
        if region.hasPrefix("eu") { return "DE" }
        if region.hasPrefix("ap") || region.hasPrefix("asia") { return "SG" }
        return "US"
    }
}

/// Identifiers drawn from a seed: the same seed gives the same ones.
struct SeededIdentifiers {
    private var state: UInt64

    init(seed: UInt64) { state = seed ^ 0xD1B5_4A32_D192_ED03 }

    private mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// A number from 0 up to, not including, `count`.
    mutating func index(below count: Int) -> Int { Int(next() % UInt64(count)) }

    /// `count` characters of `[a-z0-9]`, starting with a letter.
    mutating func lowercase(_ count: Int) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let characters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var text = String(letters[Int(next() % 26)])
        while text.count < count { text.append(characters[Int(next() % 36)]) }
        return text
    }

    /// A version-4-shaped UUID.
    mutating func uuid() -> String {
        let high = next()
        let low = next()
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: high >> (8 * $0)) }
        bytes += (0..<8).map { UInt8(truncatingIfNeeded: low >> (8 * $0)) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [
            hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4),
            hex.dropFirst(20),
        ]
        return parts.joined(separator: "-")
    }
}
