import Foundation
import SlipwayBundles
import SlipwayCore

/// Answers for `init --preset kkp` that tests share, and the repository they give.
public enum KKPFixtures {
    /// Every answer without a default, for `git` on AWS, plus `extra` (which win).
    public static func given(git: KKPAnswers.Git, extra: [String: String] = [:]) -> [String: KKPAnswers.Given] {
        var answers = [
            "git": git.rawValue, "cloud": "aws", "cluster-name": "kkp-test", "endpoint": "kkp.example.com",
            "admin-email": "admin@example.com", "git-owner": "acme", "git-repository": "platform",
        ]
        answers.merge(extra) { $1 }
        return answers.mapValues { KKPAnswers.Given($0) }
    }

    /// The resolved answers for `git` with `extra`.
    public static func answers(git: KKPAnswers.Git, extra: [String: String] = [:]) throws -> KKPAnswers {
        try KKPAnswers.resolve(given(git: git, extra: extra), clusterNameSeed: 1)
    }

    /// The variants tests run through every validator: each Git provider on each cloud, with and
    /// without a Route53 zone, OIDC and the monitoring stack.
    public static let variants: [(name: String, git: KKPAnswers.Git, extra: [String: String])] = [
        ("kkp-init-github", .github, ["route53-zone": "example.com", "monitoring": "true", "alerting": "true"]),
        ("kkp-init-gitlab", .gitlab, ["logging": "true"]),
        (
            "kkp-init-bitbucket", .bitbucket,
            ["route53-zone": "example.com", "aws-role": "arn:aws:iam::123456789012:role/kkp-ci"]
        ),
        ("kkp-init-gcp-github", .github, gcp(oidc: true)),
        ("kkp-init-gcp-gitlab", .gitlab, gcp(oidc: false)),
        ("kkp-init-gcp-bitbucket", .bitbucket, gcp(oidc: false)),
    ]

    /// The answers that put a variant on GCP: its project, and with `oidc` workload identity.
    public static func gcp(oidc: Bool) -> [String: String] {
        var answers = ["cloud": "gcp", "gcp-project": "acme-platform"]
        if oidc {
            answers["gcp-workload-identity-provider"] =
                "projects/123456789/locations/global/workloadIdentityPools/ci/providers/github"
            answers["gcp-service-account"] = "kkp-ci@acme-platform.iam.gserviceaccount.com"
        }
        return answers
    }

    /// The bundle's files for a variant (seed 1).
    public static func repository(git: KKPAnswers.Git, extra: [String: String] = [:]) throws -> [GeneratedFile] {
        try KKPBundle.repository(answers(git: git, extra: extra), seed: 1)
    }

    /// The pipelines the platform models are run over: `kkp-init-<git>` (the variant of that Git
    /// provider) and `kkp-adopted-<git>` (the wizard's AWS repository for it, adopted).
    public static func pipeline(named name: String) throws -> Pipeline {
        let files: [GeneratedFile]
        if let variant = variants.first(where: { $0.name == name }) {
            files = try repository(git: variant.git, extra: variant.extra)
        } else if name.hasPrefix("kkp-adopted-") {
            let git = String(name.dropFirst("kkp-adopted-".count))
            files = try KKPAdoption.files(
                for: try WizardRepository.detect(WizardFixtures.repository(git: git, cloud: "aws")),
                given: ["git-owner": KKPAnswers.Given("acme"), "git-repository": KKPAnswers.Given("platform")])
        } else {
            throw Unknown(name: name)
        }
        let spec = files.first { $0.path == "slipway.yml" }?.contents ?? ""
        let result = SpecValidator.pipeline(text: spec)
        guard let pipeline = result.pipeline else { throw Invalid(name: name, diagnostics: result.diagnostics) }
        return pipeline
    }

    /// No KKP pipeline has that name.
    public struct Unknown: Error {
        /// The name asked for.
        public let name: String
    }

    /// The bundle wrote a `slipway.yml` Slipway rejects.
    public struct Invalid: Error {
        /// The pipeline's name.
        public let name: String
        /// Why it was rejected.
        public let diagnostics: [Diagnostic]
    }

    /// Puts the recording stand-ins for kubeone, kubermatic-installer, helm, kubectl and flux
    /// (Tests/Fixtures/kkp-stand-ins) in `bin/` of `directory`, with an empty `stand-ins.log` and a
    /// `state/` directory for what they record (`STANDIN_LOG`, `STANDIN_STATE`).
    public static func installStandIns(in directory: TemporaryDirectory, repository: String) throws {
        for tool in ["kubeone", "kubermatic-installer", "helm", "kubectl", "flux"] {
            try directory.writeExecutable(
                "bin/\(tool)",
                try String(contentsOfFile: "\(repository)/Tests/Fixtures/kkp-stand-ins/\(tool)", encoding: .utf8))
        }
        try directory.write("state/.keep", "")
        try directory.write("stand-ins.log", "")
    }
}
