import Foundation
import SlipwayCore

/// Everything `slipway init --preset kops` asks: the clusters in promotion order, where their state
/// lives, the kOps release and which clusters wait for an approval (../shared/kops-ci.md).
///
/// The keys are kebab-case, the same as flags, in an answers file and in problems. A cluster's own
/// answers are keyed by its environment: `name@prod`, `region@prod`, `dns-zone@prod` (on the
/// command line `--answer name@prod=k8s.example.com`); they default to the shared `dns-zone` and
/// `region`, so most repositories answer only those.
public struct KOpsAnswers: Hashable, Sendable {
    /// One cluster, deployed as one environment.
    public struct Cluster: Hashable, Sendable {
        /// The environment's name (`dev`, `prod`): the instance suffix and `clusters/<environment>/`.
        public var environment: String
        /// The kOps cluster name, a DNS name inside `dnsZone`.
        public var name: String
        /// The Route53 hosted zone the cluster's API and gossip-free DNS live in.
        public var dnsZone: String
        /// The AWS region.
        public var region: String

        /// Creates a cluster.
        public init(environment: String, name: String, dnsZone: String, region: String) {
            self.environment = environment
            self.name = name
            self.dnsZone = dnsZone
            self.region = region
        }
    }

    /// Where the repository is hosted (`git`).
    public var git: GitProvider
    /// The clusters, in promotion order.
    public var clusters: [Cluster]
    /// The state store shared by every cluster: `s3://bucket` or `s3://bucket/prefix`, no trailing slash.
    public var stateStore: String
    /// The kOps release every cluster is managed with, such as `1.31.0`.
    public var kopsVersion: String
    /// The Kubernetes version the clusters start with, such as `1.31.4`.
    public var kubernetesVersion: String
    /// The environments whose deploys wait for an approval.
    public var gated: [String]
    /// The IAM role CI assumes through OIDC; nil means static access keys as CI secrets.
    public var awsRole: String?
    /// The user, organization or group that owns the canonical repository.
    public var gitOwner: String
    /// The canonical repository's name, without its owner.
    public var gitRepository: String

    /// The keys every kOps repository answers, in the order `init` asks them; the clusters' own
    /// keys follow `region`.
    static let sharedKeys = [
        "git", "clusters", "dns-zone", "region", "state-store", "kops-version", "kubernetes-version", "gated",
        "aws-role", "git-owner", "git-repository",
    ]

    /// The keys of one cluster, for its environment.
    static func clusterKeys(_ environment: String) -> [String] {
        ["name@\(environment)", "dns-zone@\(environment)", "region@\(environment)"]
    }

    /// The environments the answer `clusters` names, in order, or the default's.
    static func environments(given: [String: GivenAnswer]) -> [String] {
        (given["clusters"]?.value ?? defaultClusters).split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
    }

    static let defaultClusters = "dev,staging,prod"
    static let environmentPattern = "^[a-z][a-z0-9-]{0,19}$"
}

extension KOpsAnswers: PresetAnswers {
    /// The shared keys, with each named cluster's keys after `region`.
    public static func keys(given: [String: GivenAnswer]) -> [String] {
        let perCluster = environments(given: given).filter {
            $0.range(of: environmentPattern, options: .regularExpression) != nil
        }.flatMap(clusterKeys)
        let split = sharedKeys.firstIndex(of: "region")! + 1
        return Array(sharedKeys[..<split]) + perCluster + Array(sharedKeys[split...])
    }

    public static func defaultAnswer(_ key: String, given: [String: GivenAnswer], clusterNameSeed: UInt64) -> String? {
        func answer(_ key: String) -> String? {
            given[key]?.value.trimmingCharacters(in: .whitespaces)
                ?? defaultAnswer(key, given: given, clusterNameSeed: clusterNameSeed)
        }
        if let at = key.firstIndex(of: "@") {
            let environment = String(key[key.index(after: at)...])
            switch key[..<at] {
            case "name": return answer("dns-zone@\(environment)").map { "\(environment).\($0)" }
            case "dns-zone": return answer("dns-zone")
            case "region": return answer("region")
            default: return nil
            }
        }
        switch key {
        case "clusters": return defaultClusters
        case "region": return "eu-central-1"
        case "kops-version": return "1.31.0"
        case "kubernetes-version": return "1.31.4"
        case "gated":
            // Every cluster but the first waits for a person: the first is where changes are tried.
            let environments = environments(given: given)
            let gated = environments.count > 1 ? Array(environments.dropFirst()) : environments
            return gated.joined(separator: ",")
        default: return nil
        }
    }

    public static func question(_ key: String) -> String {
        if let at = key.firstIndex(of: "@") {
            let environment = key[key.index(after: at)...]
            switch key[..<at] {
            case "name": return "Cluster name for \(environment)"
            case "dns-zone": return "Route53 zone for \(environment)"
            case "region": return "Region for \(environment)"
            default: return key
            }
        }
        switch key {
        case "git": return "Where is the repository hosted (github, gitlab, bitbucket)?"
        case "clusters": return "Clusters' environments, in promotion order (comma-separated)"
        case "dns-zone": return "Route53 hosted zone the clusters' names live in (such as k8s.example.com)"
        case "region": return "AWS region"
        case "state-store": return "kOps state store (s3://bucket)"
        case "kops-version": return "kOps release"
        case "kubernetes-version": return "Kubernetes version"
        case "gated": return "Environments whose deploys wait for an approval (comma-separated, or none)"
        case "aws-role": return "IAM role ARN for OIDC (empty: static access keys)"
        case "git-owner": return "Repository owner (user, organization or group)"
        case "git-repository": return "Repository name"
        default: return key
        }
    }

    /// Every key but a cluster's own DNS zone, which few need: it is given in the answers file or
    /// with `--answer`.
    public static func applies(_ key: String, given: [String: GivenAnswer]) -> Bool {
        !key.hasPrefix("dns-zone@")
    }

    public static func isOptional(_ key: String) -> Bool { key == "aws-role" }

    public static func resolve(_ given: [String: GivenAnswer], clusterNameSeed: UInt64) throws(AnswerProblems)
        -> KOpsAnswers
    {
        var resolver = AnswerResolver(given: given)
        let known = keys(given: given)
        for key in given.keys.sorted() where !known.contains(key) {
            let hint: String
            if key.contains("@") {
                hint =
                    "a cluster's own answers are name@ENV, dns-zone@ENV and region@ENV, for an ENV of clusters: \(environments(given: given).joined(separator: ", "))"
            } else {
                hint =
                    "the answers are: \(sharedKeys.joined(separator: ", ")), and name@, dns-zone@, region@ per cluster"
            }
            resolver.problems.append(
                AnswerProblem(
                    key: key, kind: .unknown(suggestion: Suggestion.closest(to: key, in: known)), hint: hint,
                    location: given[key]?.keyLocation))
        }
        func fallback(_ key: String) -> String? { defaultAnswer(key, given: given, clusterNameSeed: clusterNameSeed) }

        let git = resolver.choice("git", GitProvider.self, default: nil)
        let environments = resolveEnvironments(&resolver)
        let dnsZone = resolver.text(
            "dns-zone", default: nil, pattern: AnswerResolver.dnsName, reason: "not a DNS zone name",
            hint: "the Route53 hosted zone's name without a trailing dot, such as k8s.example.com")
        let region = resolver.text(
            "region", default: fallback("region"), pattern: awsRegion, reason: "not an AWS region",
            hint: "for example eu-central-1")
        var clusters: [Cluster] = []
        for environment in environments ?? [] {
            // A cluster's answers default to the shared ones; a wrong shared one is reported once.
            let zone = resolver.text(
                "dns-zone@\(environment)", default: dnsZone, pattern: AnswerResolver.dnsName,
                reason: "not a DNS zone name", hint: "the Route53 hosted zone of the \(environment) cluster",
                quiet: dnsZone == nil)
            let name = resolver.text(
                "name@\(environment)", default: zone.map { "\(environment).\($0)" }, pattern: AnswerResolver.dnsName,
                reason: "not a lowercase DNS name",
                hint: "kOps names a cluster by a DNS name, such as \(environment).k8s.example.com",
                quiet: zone == nil)
            let clusterRegion = resolver.text(
                "region@\(environment)", default: region, pattern: awsRegion, reason: "not an AWS region",
                hint: "for example eu-central-1", quiet: region == nil)
            if let name, let zone, !name.hasSuffix(".\(zone)") {
                resolver.fail(
                    "name@\(environment)", name, "it is not inside its DNS zone \(zone)",
                    "use a name such as \(environment).\(zone), or give dns-zone@\(environment) the zone that holds \(name)"
                )
                continue
            }
            if let name, let zone, let clusterRegion {
                clusters.append(Cluster(environment: environment, name: name, dnsZone: zone, region: clusterRegion))
            }
        }
        var seenNames: [String: String] = [:]
        for cluster in clusters {
            if let other = seenNames[cluster.name] {
                resolver.fail(
                    "name@\(cluster.environment)", cluster.name, "the \(other) cluster has the same name",
                    "each environment is its own cluster: give it its own name")
            }
            seenNames[cluster.name] = cluster.environment
        }
        let stateStore = resolver.text(
            "state-store", default: nil, pattern: "^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9._-]+)*/?$",
            reason: "not an S3 state store",
            hint: "the bucket kOps keeps the clusters' state in, as s3://bucket or s3://bucket/prefix")
        let kopsVersion = resolver.text(
            "kops-version", default: fallback("kops-version"), pattern: "^1\\.[0-9]+\\.[0-9]+$",
            reason: "not a kOps release", hint: "write it as 1.31.0, without a leading v")
        let kopsMinor = kopsVersion.flatMap(minor)
        if let kopsVersion, let kopsMinor, kopsMinor < 19 {
            resolver.fail(
                "kops-version", kopsVersion,
                "the pipeline needs kOps 1.19 or later (file state stores for dry runs, the downgrade guard)",
                "choose a current release, such as 1.31.0")
        }
        let kubernetesVersion = resolver.text(
            "kubernetes-version", default: fallback("kubernetes-version"), pattern: "^1\\.[0-9]{2}\\.[0-9]+$",
            reason: "not a Kubernetes version", hint: "write it as 1.31.4, without a leading v")
        if let kubernetesVersion, let kubernetesMinor = minor(kubernetesVersion), let kopsVersion, let kopsMinor,
            kubernetesMinor > kopsMinor
        {
            resolver.fail(
                "kubernetes-version", kubernetesVersion,
                "kOps \(kopsVersion) does not support Kubernetes 1.\(kubernetesMinor) yet",
                "choose Kubernetes 1.\(kopsMinor) or older, or a kOps release of 1.\(kubernetesMinor) or later")
        }
        let gated = resolveGated(&resolver, environments: environments, fallback: fallback("gated"))
        let awsRole = resolver.awsRole(example: "kops-ci")
        let (gitOwner, gitRepository) = resolver.repository(
            ownerHint: "the owner of the canonical repository, the only one whose pipelines deploy")
        guard resolver.problems.isEmpty, let git, environments != nil, let stateStore, let kopsVersion,
            let kubernetesVersion, let gated, let gitOwner, let gitRepository
        else { throw AnswerProblems(all: resolver.problems) }
        return KOpsAnswers(
            git: git, clusters: clusters,
            stateStore: stateStore.hasSuffix("/") ? String(stateStore.dropLast()) : stateStore,
            kopsVersion: kopsVersion, kubernetesVersion: kubernetesVersion, gated: gated, awsRole: awsRole,
            gitOwner: gitOwner, gitRepository: gitRepository)
    }

    static let awsRegion = "^[a-z]{2}(-[a-z]+)+-[0-9]$"

    private static func minor(_ version: String) -> Int? {
        version.split(separator: ".").dropFirst().first.flatMap { Int($0) }
    }

    /// The environments `clusters` names, or nil when the answer is wrong.
    private static func resolveEnvironments(_ resolver: inout AnswerResolver) -> [String]? {
        guard
            let text = resolver.value(
                "clusters", default: defaultClusters,
                hint: "pass --clusters with the environments in promotion order, such as dev,staging,prod")
        else { return nil }
        let environments = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        if let wrong = environments.first(where: {
            $0.range(of: environmentPattern, options: .regularExpression) == nil
        }) {
            resolver.fail(
                "clusters", text,
                wrong.isEmpty
                    ? "it has an empty name"
                    : "'\(wrong)' is not an environment name (lowercase letters, digits, hyphens)",
                "name each environment once, in promotion order, such as dev,staging,prod")
            return nil
        }
        if let twice = environments.first(where: { name in environments.filter { $0 == name }.count > 1 }) {
            resolver.fail(
                "clusters", text, "'\(twice)' is named twice", "name each environment once, in promotion order")
            return nil
        }
        if environments.count > 10 {
            resolver.fail(
                "clusters", text, "more than 10 clusters",
                "split them over repositories: each push may roll every one of them in turn")
            return nil
        }
        return environments
    }

    /// The gated environments, or nil when the answer is wrong.
    private static func resolveGated(_ resolver: inout AnswerResolver, environments: [String]?, fallback: String?)
        -> [String]?
    {
        guard
            let text = resolver.value(
                "gated", default: fallback, hint: "pass --gated with environments from clusters, or none")
        else { return nil }
        if text.lowercased() == "none" { return [] }
        let gated = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let environments else { return gated }
        if let unknown = gated.first(where: { !environments.contains($0) }) {
            resolver.fail(
                "gated", text, "'\(unknown)' is not one of the clusters (\(environments.joined(separator: ", ")))",
                "name environments from clusters, or write none")
            return nil
        }
        return environments.filter(gated.contains)
    }
}
