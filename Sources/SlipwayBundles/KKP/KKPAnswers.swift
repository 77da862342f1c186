import Foundation
import SlipwayCore

/// Everything `slipway init --preset kkp` asks, as the KKP start wizard did (../shared/kkp-wizard.md,
/// §1.4), resolved from the answers given (flags, an answers file) and the defaults.
///
/// Every answer has a kebab-case key, the same on the command line (`--endpoint`), in an answers
/// file (`endpoint: kkp.example.com`) and in problems. `resolve` reports every missing or invalid
/// answer at once, each with what to do about it.
public struct KKPAnswers: Hashable, Sendable {
    /// Where the repository is hosted.
    public typealias Git = GitProvider

    /// Where the repository is hosted (`git`).
    public var git: Git
    /// The cloud the master/seed cluster runs on (`cloud`).
    public var cloud: BundleCloud
    /// The master/seed cluster's name; prefixes every cloud resource.
    public var clusterName: String
    /// The master/seed cluster's Kubernetes version, such as `1.31.4`.
    public var kubernetesVersion: String
    /// Fewest worker nodes the cluster autoscaler keeps.
    public var autoscalerMin: Int
    /// Most worker nodes the cluster autoscaler starts.
    public var autoscalerMax: Int
    /// The cloud region.
    public var region: String
    /// The worker nodes' instance type.
    public var workerType: String
    /// The control-plane nodes' instance type.
    public var controlPlaneType: String
    /// A KKP release tag, such as `v2.27.1`.
    public var kkpVersion: String
    /// The KKP endpoint: a DNS name without `https://` and without a trailing slash.
    public var endpoint: String
    /// The KKP admin (the Dex static user).
    public var adminEmail: String
    /// The e-mail Let's Encrypt writes to about the certificates.
    public var issuerEmail: String
    /// Whether the monitoring stack (Prometheus, Grafana) is installed.
    public var monitoring: Bool
    /// Whether the logging stack (Loki, Promtail) is installed.
    public var logging: Bool
    /// Whether alerting (Alertmanager, Karma) is installed.
    public var alerting: Bool
    /// The e-mail domain the OAuth2 proxy lets in.
    public var allowedEmailDomain: String
    /// The KKP project created with the admin bound to it.
    public var projectName: String
    /// The seed datacenter's name.
    public var datacenter: String
    /// AWS: the Route53 zone the endpoint lives in; without it, DNS is left to the user.
    public var route53Zone: String?
    /// GCP: the project the cluster lives in.
    public var gcpProject: String?
    /// GCP: the workload identity provider CI authenticates through
    /// (`projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER`); nil means
    /// a service account key as a CI secret.
    public var gcpWorkloadIdentityProvider: String?
    /// GCP: the service account CI impersonates through `gcpWorkloadIdentityProvider`.
    public var gcpServiceAccount: String?
    /// AWS: the IAM role CI assumes through OIDC; nil means static access keys as CI secrets.
    public var awsRole: String?
    /// The user, organization or group that owns the repository.
    public var gitOwner: String
    /// The repository's name, without its owner.
    public var gitRepository: String
    /// Whether `gitOwner` is a personal account rather than an organization or group.
    public var gitPersonal: Bool
    /// A self-hosted Git server's hostname; nil for github.com, gitlab.com or bitbucket.org.
    public var gitHostname: String?

    /// Every answer's key, in the order `init` asks them.
    public static let keys = [
        "git", "cloud", "cluster-name", "kubernetes-version", "autoscaler-min", "autoscaler-max", "region",
        "worker-type", "control-plane-type", "kkp-version", "endpoint", "admin-email", "issuer-email", "monitoring",
        "logging", "alerting", "allowed-email-domain", "project-name", "datacenter", "route53-zone", "gcp-project",
        "gcp-workload-identity-provider", "gcp-service-account", "aws-role", "git-owner", "git-repository",
        "git-personal", "git-hostname",
    ]

    /// An answer that is missing, not understood, or wrong.
    public typealias Problem = AnswerProblem
    /// A given answer: its text and, from an answers file, where it stands.
    public typealias Given = GivenAnswer
    /// Every problem with the answers given, at once.
    public typealias Problems = AnswerProblems

    /// The answers from `given` (by key) and the defaults; throws every problem with them.
    ///
    /// `clusterNameSeed` makes the generated default cluster name reproducible.
    public static func resolve(_ given: [String: Given], clusterNameSeed: UInt64) throws(Problems) -> KKPAnswers {
        var resolver = AnswerResolver(given: given)
        for key in given.keys.sorted() where !keys.contains(key) {
            resolver.problems.append(
                Problem(
                    key: key, kind: .unknown(suggestion: Suggestion.closest(to: key, in: keys)),
                    hint: "the answers are: \(keys.joined(separator: ", "))", location: given[key]?.keyLocation))
        }
        func fallback(_ key: String) -> String? {
            defaultAnswer(key, given: given, clusterNameSeed: clusterNameSeed)
        }
        let git = resolver.choice("git", Git.self, default: nil)
        let cloud = resolver.choice("cloud", BundleCloud.self, default: nil)
        let clusterName = resolver.text(
            "cluster-name", default: fallback("cluster-name"),
            pattern: "^[a-z][a-z0-9-]{1,30}[a-z0-9]$",
            reason: "3 to 32 lowercase letters, digits and hyphens, starting with a letter",
            hint: "it names the cloud resources, so it must be a valid DNS label, such as kkp-master")
        let kubernetesVersion = resolver.text(
            "kubernetes-version", default: fallback("kubernetes-version"), pattern: "^1\\.[0-9]{2}\\.[0-9]+$",
            reason: "not a Kubernetes version", hint: "write it as 1.31.4, without a leading v")
        // The repository pins KubeOne 1.9, which manages Kubernetes 1.29 to 1.31.
        if let kubernetesVersion,
            let minor = kubernetesVersion.split(separator: ".").dropFirst().first.flatMap({ Int($0) }),
            !(29...31).contains(minor)
        {
            resolver.fail(
                "kubernetes-version", kubernetesVersion, "KubeOne 1.9, which the repository pins, manages 1.29 to 1.31",
                "choose a 1.29, 1.30 or 1.31 release, such as 1.31.4")
        }
        let autoscalerMin = resolver.number("autoscaler-min", default: fallback("autoscaler-min"), range: 1...100)
        let autoscalerMax = resolver.number("autoscaler-max", default: fallback("autoscaler-max"), range: 1...100)
        let defaultRegion = cloud == .gcp ? "europe-west3" : "eu-central-1"
        let region = resolver.text(
            "region", default: fallback("region"),
            pattern: cloud == .gcp ? "^[a-z]+-[a-z]+[0-9]$" : "^[a-z]{2}(-[a-z]+)+-[0-9]$",
            reason: "not a \(cloud == .gcp ? "GCP" : "AWS") region", hint: "for example \(defaultRegion)")
        let workerType = resolver.text(
            "worker-type", default: fallback("worker-type"), pattern: "^[a-z0-9][a-z0-9.-]+$",
            reason: "not an instance type", hint: "for example t3.xlarge (x86 only: KubeOne's images are amd64)")
        let controlPlaneType = resolver.text(
            "control-plane-type", default: fallback("control-plane-type"),
            pattern: "^[a-z0-9][a-z0-9.-]+$", reason: "not an instance type", hint: "for example t3.large")
        let kkpVersion = resolver.text(
            "kkp-version", default: fallback("kkp-version"), pattern: "^v2\\.[0-9]+\\.[0-9]+$",
            reason: "not a KKP release tag",
            hint: "write the release tag, such as v2.27.1")
        let endpoint = resolver.endpoint()
        let adminEmail = resolver.email("admin-email", default: nil)
        // Answers derived from a wrong or missing one are not reported again as missing.
        let adminWrong = adminEmail == nil
        let issuerEmail = resolver.email("issuer-email", default: adminEmail, quiet: adminWrong)
        let monitoring = resolver.flag("monitoring", default: fallback("monitoring"))
        let logging = resolver.flag("logging", default: fallback("logging"))
        let alerting = resolver.flag("alerting", default: fallback("alerting"))
        let adminDomain = adminEmail.flatMap { $0.split(separator: "@").last.map(String.init) }
        let allowedEmailDomain = resolver.text(
            "allowed-email-domain", default: adminDomain, pattern: AnswerResolver.dnsName, reason: "not a domain",
            hint: "the domain of the e-mail addresses allowed to sign in, such as example.com", quiet: adminWrong)
        let projectName = resolver.text(
            "project-name", default: fallback("project-name"), pattern: "^[A-Za-z0-9][A-Za-z0-9 _-]{0,62}$",
            reason: "letters, digits, spaces, hyphens and underscores only", hint: "for example platform")
        let datacenter = resolver.text(
            "datacenter", default: region.map { "\(cloud?.rawValue ?? "aws")-\($0)" },
            pattern: "^[a-z0-9][a-z0-9-]{0,62}$", reason: "lowercase letters, digits and hyphens only",
            hint: "the seed datacenter's name, such as aws-eu-central-1")
        var route53Zone: String?
        if given["route53-zone"] != nil {
            route53Zone = resolver.text(
                "route53-zone", default: nil, pattern: AnswerResolver.dnsName, reason: "not a DNS zone name",
                hint: "the hosted zone's name without a trailing dot, such as example.com")
            if cloud == .gcp {
                resolver.problems.append(
                    Problem(
                        key: "route53-zone",
                        kind: .invalid(value: given["route53-zone"]!.value, reason: "Route53 is AWS's"),
                        hint: "leave it out on GCP; point the endpoint at the ingress in your DNS yourself",
                        location: given["route53-zone"]?.location))
            } else if let zone = route53Zone, let endpoint, !endpoint.hasSuffix(".\(zone)") {
                resolver.problems.append(
                    Problem(
                        key: "endpoint",
                        kind: .invalid(value: endpoint, reason: "it is not inside route53-zone \(zone)"),
                        hint: "use a name such as kkp.\(zone), or the zone that holds \(endpoint)",
                        location: given["endpoint"]?.location))
            }
        }
        var gcpProject: String?
        if cloud == .gcp || given["gcp-project"] != nil {
            gcpProject = resolver.text(
                "gcp-project", default: nil, pattern: "^[a-z][a-z0-9-]{4,28}[a-z0-9]$", reason: "not a GCP project id",
                hint: "the project id (not its name or number), such as acme-platform")
        }
        let (gcpWorkloadIdentityProvider, gcpServiceAccount) = resolver.gcpWorkloadIdentity(onGCP: cloud == .gcp)
        let awsRole = resolver.awsRole(example: "kkp-ci")
        if given["aws-role"] != nil {
            if cloud == .gcp {
                resolver.problems.append(
                    Problem(
                        key: "aws-role", kind: .invalid(value: given["aws-role"]!.value, reason: "it is AWS's"),
                        hint: "leave it out on GCP", location: given["aws-role"]?.location))
            }
        }
        let (gitOwner, gitRepository) = resolver.repository(
            ownerHint: "the account or organization (GitLab: group, subgroups with /) that owns the repository")
        let gitPersonal = resolver.flag("git-personal", default: fallback("git-personal"))
        var gitHostname: String?
        if given["git-hostname"] != nil {
            gitHostname = resolver.text(
                "git-hostname", default: nil, pattern: AnswerResolver.dnsName, reason: "not a hostname",
                hint: "only the host, such as git.example.com: no https:// and no path")
        }
        if let autoscalerMin, let autoscalerMax, autoscalerMin > autoscalerMax {
            resolver.problems.append(
                Problem(
                    key: "autoscaler-min",
                    kind: .invalid(value: String(autoscalerMin), reason: "more than autoscaler-max (\(autoscalerMax))"),
                    hint: "the autoscaler keeps between autoscaler-min and autoscaler-max workers",
                    location: given["autoscaler-min"]?.location))
        }
        guard resolver.problems.isEmpty, let git, let cloud, let clusterName, let kubernetesVersion, let autoscalerMin,
            let autoscalerMax, let region, let workerType, let controlPlaneType, let kkpVersion, let endpoint,
            let adminEmail, let issuerEmail, let monitoring, let logging, let alerting, let allowedEmailDomain,
            let projectName, let datacenter, let gitOwner, let gitRepository, let gitPersonal
        else { throw Problems(all: resolver.problems) }
        return KKPAnswers(
            git: git, cloud: cloud, clusterName: clusterName, kubernetesVersion: kubernetesVersion,
            autoscalerMin: autoscalerMin, autoscalerMax: autoscalerMax, region: region, workerType: workerType,
            controlPlaneType: controlPlaneType, kkpVersion: kkpVersion, endpoint: endpoint, adminEmail: adminEmail,
            issuerEmail: issuerEmail, monitoring: monitoring, logging: logging, alerting: alerting,
            allowedEmailDomain: allowedEmailDomain, projectName: projectName, datacenter: datacenter,
            route53Zone: route53Zone, gcpProject: gcpProject, gcpWorkloadIdentityProvider: gcpWorkloadIdentityProvider,
            gcpServiceAccount: gcpServiceAccount, awsRole: awsRole, gitOwner: gitOwner,
            gitRepository: gitRepository,
            gitPersonal: gitPersonal, gitHostname: gitHostname)
    }
}

extension KKPAnswers: PresetAnswers {
    /// Every answer's key: the same whatever was answered.
    public static func keys(given: [String: Given]) -> [String] { keys }

    /// The default of the answer `key` given the others, as `init` shows it at a prompt; nil when
    /// the answer has none.
    public static func defaultAnswer(_ key: String, given: [String: Given], clusterNameSeed: UInt64) -> String? {
        let gcp = given["cloud"]?.value.lowercased() == BundleCloud.gcp.rawValue
        let admin = given["admin-email"]?.value.trimmingCharacters(in: .whitespaces)
        switch key {
        case "cluster-name": return ClusterNames.generate(seed: clusterNameSeed)
        case "kubernetes-version": return "1.31.4"
        case "autoscaler-min": return "2"
        case "autoscaler-max": return "5"
        case "region": return gcp ? "europe-west3" : "eu-central-1"
        case "worker-type": return gcp ? "n2-standard-4" : "t3.xlarge"
        case "control-plane-type": return gcp ? "n2-standard-2" : "t3.large"
        case "kkp-version": return "v2.27.1"
        case "issuer-email": return admin
        case "monitoring", "logging", "alerting", "git-personal": return "false"
        case "allowed-email-domain": return admin.flatMap { $0.split(separator: "@").last.map(String.init) }
        case "project-name": return "platform"
        case "datacenter":
            let cloud = gcp ? "gcp" : "aws"
            let region =
                given["region"]?.value ?? defaultAnswer("region", given: given, clusterNameSeed: clusterNameSeed)
            return region.map { "\(cloud)-\($0)" }
        default: return nil
        }
    }

    /// What `init` asks for `key` at a terminal prompt.
    public static func question(_ key: String) -> String {
        switch key {
        case "git": return "Where is the repository hosted (github, gitlab, bitbucket)?"
        case "cloud": return "Which cloud runs the cluster (aws, gcp)?"
        case "cluster-name": return "Cluster name"
        case "kubernetes-version": return "Kubernetes version"
        case "autoscaler-min": return "Fewest worker nodes"
        case "autoscaler-max": return "Most worker nodes"
        case "region": return "Region"
        case "worker-type": return "Worker instance type"
        case "control-plane-type": return "Control-plane instance type"
        case "kkp-version": return "KKP release"
        case "endpoint": return "KKP endpoint (a DNS name, such as kkp.example.com)"
        case "admin-email": return "Admin e-mail"
        case "issuer-email": return "E-mail for Let's Encrypt"
        case "monitoring": return "Install monitoring (Prometheus, Grafana)?"
        case "logging": return "Install logging (Loki, Promtail)?"
        case "alerting": return "Install alerting (Alertmanager, Karma)?"
        case "allowed-email-domain": return "E-mail domain allowed to sign in to the dashboards"
        case "project-name": return "First KKP project"
        case "datacenter": return "Seed datacenter name"
        case "route53-zone": return "Route53 zone for the endpoint (empty: manage DNS yourself)"
        case "gcp-project": return "GCP project id"
        case "gcp-workload-identity-provider":
            return "Workload identity provider for OIDC, projects/…/providers/… (empty: a service account key)"
        case "gcp-service-account": return "Service account CI impersonates through it"
        case "aws-role": return "IAM role ARN for OIDC (empty: static access keys)"
        case "git-owner": return "Repository owner (user, organization or group)"
        case "git-repository": return "Repository name"
        case "git-personal": return "Is the owner a personal account?"
        case "git-hostname": return "Self-hosted Git server's hostname (empty: the public service)"
        default: return key
        }
    }

    /// Whether `init` asks `key` at a prompt given the answers so far (cloud-specific answers only
    /// for that cloud).
    public static func applies(_ key: String, given: [String: Given]) -> Bool {
        let cloud = given["cloud"]?.value.lowercased()
        switch key {
        case "route53-zone", "aws-role": return cloud != BundleCloud.gcp.rawValue
        case "gcp-project", "gcp-workload-identity-provider": return cloud == BundleCloud.gcp.rawValue
        case "gcp-service-account":
            return cloud == BundleCloud.gcp.rawValue && !(given["gcp-workload-identity-provider"]?.value ?? "").isEmpty
        default: return true
        }
    }

    /// Whether an empty answer at the prompt means "none" rather than "the default".
    public static func isOptional(_ key: String) -> Bool {
        ["route53-zone", "aws-role", "git-hostname", "gcp-workload-identity-provider"].contains(key)
    }
}

/// Docker-style cluster names (`focused-kare`), as the wizard's "generate" button made them.
enum ClusterNames {
    static let adjectives = [
        "brave", "calm", "eager", "focused", "friendly", "gentle", "happy", "jolly", "keen", "lucid", "modest",
        "nifty", "quirky", "serene", "steady", "upbeat", "vibrant", "wizardly", "zealous", "bold",
    ]
    static let names = [
        "curie", "darwin", "easley", "euler", "hopper", "kare", "lamport", "liskov", "lovelace", "noether",
        "poincare", "raman", "ritchie", "shannon", "thompson", "torvalds", "turing", "wilson", "wozniak", "yalow",
    ]

    /// A name from `seed`, the same for the same seed.
    static func generate(seed: UInt64) -> String {
        var draw = SeededIdentifiers(seed: seed)
        return "\(adjectives[draw.index(below: adjectives.count)])-\(names[draw.index(below: names.count)])"
    }
}

extension AnswerResolver {
    /// The workload identity provider and service account CI authenticates to GCP with, both or
    /// neither (neither: a service account key as a CI secret); refused off GCP.
    mutating func gcpWorkloadIdentity(onGCP: Bool) -> (provider: String?, serviceAccount: String?) {
        let keys = ["gcp-workload-identity-provider", "gcp-service-account"]
        guard keys.contains(where: { given[$0] != nil }) else { return (nil, nil) }
        guard onGCP else {
            for key in keys where given[key] != nil {
                fail(key, given[key]!.value, "it is GCP's", "leave it out on AWS; --aws-role is AWS's OIDC")
            }
            return (nil, nil)
        }
        let provider = text(
            keys[0], default: nil,
            pattern: "^projects/[0-9]+/locations/global/workloadIdentityPools/[a-z0-9-]+/providers/[a-z0-9-]+$",
            reason: "not a workload identity provider's full name",
            hint:
                "projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER (gcloud iam workload-identity-pools providers describe … --format='value(name)')"
        )
        let account = text(
            keys[1], default: nil, pattern: "^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9-]+\\.iam\\.gserviceaccount\\.com$",
            reason: "not a service account's e-mail",
            hint: "the service account CI impersonates, such as kkp-ci@acme-platform.iam.gserviceaccount.com")
        return (provider, account)
    }
}
