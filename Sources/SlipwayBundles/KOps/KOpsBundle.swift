import Foundation
import SlipwayCore

/// The repository `slipway init --preset kops` writes: one template and a values file per cluster,
/// rendered, dry-run on pull requests against a private copy of the state, and deployed cluster by
/// cluster on pushes (../shared/kops-ci.md, docs/decisions.md).
///
/// The files are package resources under `Resources/kops/repository/`, laid out as in the written
/// repository: a file ending in `.mustache` is rendered with the answers (and the suffix dropped),
/// any other is copied (the kOps templates are Go templates, rendered by kops itself);
/// `__environment__` in a path is written once per cluster.
public enum KOpsBundle {
    /// The linux-amd64 digest of the kOps releases Slipway knows (the one examples/kops pins);
    /// `slipway tools lock` records the other platforms' and other releases'.
    static let kopsDigests = [
        "1.31.0": "9253d15938376236d6578384e3d5ee0b973bdaf3303fb5fd6fbb3c59aedb9d8d"
    ]

    /// Every file of the repository for `answers`, in path order, without the CI file (which
    /// `slipway generate` writes from the `slipway.yml` among them).
    public static func repository(_ answers: KOpsAnswers) throws(BundleError) -> [GeneratedFile] {
        let shared = context(answers)
        var files: [GeneratedFile] = []
        for resource in try BundleResources.files(under: "kops/repository") {
            let contexts: [(path: String, context: [String: Any])]
            if resource.path.contains("__environment__") {
                contexts = answers.clusters.enumerated().map { offset, cluster in
                    (
                        resource.path.replacingOccurrences(of: "__environment__", with: cluster.environment),
                        clusterContext(cluster, last: offset == answers.clusters.count - 1 && offset > 0)
                            .merging(shared) { own, _ in own }
                    )
                }
            } else {
                contexts = [(resource.path, shared)]
            }
            for (path, context) in contexts {
                if let file = try BundleResources.file(resource, at: path, context) { files.append(file) }
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The values the templates refer to.
    static func context(_ answers: KOpsAnswers) -> [String: Any] {
        let environments = answers.clusters.map(\.environment)
        let clusters = answers.clusters.enumerated().map { offset, cluster in
            clusterContext(cluster, last: offset == answers.clusters.count - 1 && offset > 0).merging([
                "gated": answers.gated.contains(cluster.environment)
            ]) { _, new in new }
        }
        let bucket = answers.stateStore.dropFirst("s3://".count).split(separator: "/").first.map(String.init) ?? ""
        var context: [String: Any] = [
            "git": answers.git.rawValue,
            "github": answers.git == .github, "gitlab": answers.git == .gitlab, "bitbucket": answers.git == .bitbucket,
            "clusters": clusters, "clusterCount": answers.clusters.count, "single": answers.clusters.count == 1,
            "environmentList": listed(environments.map { "`\($0)`" }),
            "promotion": environments.joined(separator: " → "),
            "firstEnvironment": environments.first ?? "", "firstRegion": answers.clusters.first?.region ?? "",
            "stateStore": answers.stateStore, "stateBucket": bucket,
            "kopsVersion": answers.kopsVersion, "kubernetesVersion": answers.kubernetesVersion,
            "staticKeys": answers.awsRole == nil,
            "gitOwner": answers.gitOwner, "gitRepository": answers.gitRepository,
            "repositoryPath": "\(answers.gitOwner)/\(answers.gitRepository)",
            "defaultBranch": "main", "ciFile": answers.git.ciFile,
            "singleGated": answers.gated.count == 1,
        ]
        if !answers.gated.isEmpty { context["gatedList"] = listed(answers.gated) }
        if let digest = kopsDigests[answers.kopsVersion] { context["kopsDigest"] = digest }
        if let role = answers.awsRole { context["awsRole"] = role }
        return context
    }

    /// One cluster's values: its zones (the region's first three) and their subnets.
    static func clusterContext(_ cluster: KOpsAnswers.Cluster, last: Bool) -> [String: Any] {
        let zones = ["a", "b", "c"].enumerated().map { offset, letter in
            [
                "zone": "\(cluster.region)\(letter)", "cidr": "172.20.\(32 * offset + 32).0/19",
                "utilityCIDR": "172.20.\(4 * offset).0/22",
            ]
        }
        return [
            "environment": cluster.environment, "name": cluster.name, "dnsZone": cluster.dnsZone,
            "region": cluster.region, "zones": zones, "production": last,
        ]
    }

    /// `items` as a sentence: `a`, `a and b`, `a, b and c`.
    static func listed(_ items: [String]) -> String {
        guard let last = items.last else { return "" }
        return items.count == 1 ? last : items.dropLast().joined(separator: ", ") + " and " + last
    }
}
