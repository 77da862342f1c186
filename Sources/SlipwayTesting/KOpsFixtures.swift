import Foundation
import SlipwayBundles
import SlipwayCore

/// Answers for `init --preset kops` that tests share, and the repositories they give.
public enum KOpsFixtures {
    /// Every answer without a default, for `git`, plus `extra` (which win).
    public static func given(git: GitProvider, extra: [String: String] = [:]) -> [String: GivenAnswer] {
        var answers = [
            "git": git.rawValue, "dns-zone": "k8s.example.com", "state-store": "s3://acme-kops-state",
            "git-owner": "acme", "git-repository": "clusters",
        ]
        answers.merge(extra) { $1 }
        return answers.mapValues { GivenAnswer($0) }
    }

    /// The resolved answers for `git` with `extra`.
    public static func answers(git: GitProvider, extra: [String: String] = [:]) throws -> KOpsAnswers {
        try KOpsAnswers.resolve(given(git: git, extra: extra), clusterNameSeed: 1)
    }

    /// The variants tests run through every validator: each Git provider; three clusters with one
    /// in another region, two clusters with OIDC, and one ungated cluster.
    public static let variants: [(name: String, git: GitProvider, extra: [String: String])] = [
        ("kops-init-github", .github, ["region@prod": "us-east-1"]),
        (
            "kops-init-gitlab", .gitlab,
            [
                "clusters": "dev,prod", "aws-role": "arn:aws:iam::123456789012:role/kops-ci", "kops-version": "1.30.2",
                "kubernetes-version": "1.30.9",
            ]
        ),
        ("kops-init-bitbucket", .bitbucket, ["gated": "none", "state-store": "s3://acme-kops-state/clusters"]),
    ]

    /// The bundle's files for a variant.
    public static func repository(git: GitProvider, extra: [String: String] = [:]) throws -> [GeneratedFile] {
        try KOpsBundle.repository(answers(git: git, extra: extra))
    }

    /// The pipeline of the variant `name`, for the platform models.
    public static func pipeline(named name: String) throws -> Pipeline {
        guard let variant = variants.first(where: { $0.name == name }) else { throw KKPFixtures.Unknown(name: name) }
        let spec = try repository(git: variant.git, extra: variant.extra).first { $0.path == "slipway.yml" }?.contents
        let result = SpecValidator.pipeline(text: spec ?? "")
        guard let pipeline = result.pipeline else {
            throw KKPFixtures.Invalid(name: name, diagnostics: result.diagnostics)
        }
        return pipeline
    }

    /// Puts the recording kops stand-in (Tests/Fixtures/kops-stand-in) at `bin/kops` in `directory`,
    /// with its settings (where it logs, where it keeps the "cloud", which release it is) at
    /// `settings`, relative to `directory`: beside it (`bin/kops-stand-in.json`), or in a home
    /// directory (`.kops-stand-in.json`) when the steps install kops themselves.
    public static func installStandIn(
        in directory: TemporaryDirectory, repository: String, log: String, state: String, version: String? = nil,
        settings: String = "bin/kops-stand-in.json", binary: Bool = true
    ) throws {
        if binary {
            try directory.writeExecutable(
                "bin/kops",
                try String(contentsOfFile: "\(repository)/Tests/Fixtures/kops-stand-in/kops", encoding: .utf8))
        }
        var values = ["STANDIN_LOG": log, "STANDIN_STATE": state]
        if let version { values["STANDIN_KOPS_VERSION"] = version }
        let data = try JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])
        try directory.write(settings, String(decoding: data, as: UTF8.self) + "\n")
        if !FileManager.default.fileExists(atPath: log) { try Data().write(to: URL(fileURLWithPath: log)) }
    }
}
