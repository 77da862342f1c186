import Foundation
import SlipwayTesting
import Testing

/// The flags every KKP test repository needs: the answers without a default.
private let required = [
    "--git", "github", "--cloud", "aws", "--endpoint", "kkp.example.com", "--admin-email", "admin@example.com",
    "--git-owner", "acme", "--git-repository", "platform", "--seed", "7",
]

/// Every file below `directory`, relative to it, except the record init keeps in `.slipway/`.
private func files(in directory: String) -> [String] {
    let enumerator = FileManager.default.enumerator(atPath: directory)
    var paths: [String] = []
    while let path = enumerator?.nextObject() as? String {
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: "\(directory)/\(path)", isDirectory: &isDirectory)
        if !isDirectory.boolValue, !path.hasPrefix(".slipway/") { paths.append(path) }
    }
    return paths.sorted()
}

/// End-to-end: `slipway init --preset kkp` as users run it.
@Suite struct InitCommandTests {
    /// The repository it writes validates, generates nothing new, and plans.
    @Test(arguments: ["github", "gitlab", "bitbucket"])
    func theWrittenRepositoryValidatesAndIsGenerated(git: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var arguments = required
        arguments[1] = git
        let result = try await slipway.run(
            ["init", "repo", "--preset", "kkp", "--yes", "--route53-zone", "example.com"] + arguments,
            in: directory.path)
        try #require(result.status == 0, "\(result.standardError)")
        let repository = "\(directory.path)/repo"
        let written = files(in: repository)
        let ciFile =
            ["github": ".github/workflows/slipway.yml", "gitlab": ".gitlab-ci.yml"][git]
            ?? "bitbucket-pipelines.yml"
        #expect(written.contains(ciFile))
        for path in ["terraform/aws/main.tf", "scripts/kkp.sh", "flux/clusters/upbeat-poincare/kubermatic/seed.yaml"] {
            #expect(written.contains(path), "\(path) in \(written)")
        }
        #expect(result.standardOutput.contains("created   slipway.yml"))
        // The CI file's header names every secret to create, as the README does.
        let header = try String(contentsOfFile: "\(repository)/\(ciFile)", encoding: .utf8).prefix(2000)
        var secrets = [
            "AWS_ACCESS_KEY_ID", "SSH_PRIVATE_KEY", "SSH_PUBLIC_KEY", "KKP_SECRET_SEED", "KKP_ADMIN_PASSWORD_HASH",
        ]
        if git != "bitbucket" { secrets.append(git == "github" ? "FLUX_GITHUB_TOKEN" : "FLUX_GITLAB_TOKEN") }
        for secret in secrets { #expect(header.contains(secret), "\(git): \(secret)") }
        #expect(result.standardOutput.contains("Next:"))

        let validate = try await slipway.run(["validate"], in: repository)
        #expect(validate.status == 0, "\(validate.standardError)")
        let check = try await slipway.run(["generate", "--check"], in: repository)
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
        let plan = try await slipway.run(
            ["plan", "--event", "pull_request", "--changed", "kubermatic/values.yaml", "--format", "json"],
            in: repository)
        #expect(plan.status == 0, "\(plan.standardError)")
        #expect(plan.standardOutput.contains("\"kubermatic-validate\""))
    }

    /// With --yes, every missing or wrong answer is listed at once, with a hint, and nothing is
    /// written.
    @Test func everyProblemAtOnceAndNothingWritten() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await slipway.run(
            [
                "init", "repo", "--preset", "kkp", "--yes", "--endpoint", "https://kkp.example.com/",
                "--autoscaler-min", "6", "--autoscaler-max", "3", "--admin-email", "admin.example.com",
            ], in: directory.path)
        #expect(result.status == 2)
        for text in [
            "no answer for 'git'", "no answer for 'cloud'", "'endpoint' is 'https://kkp.example.com/': it has a scheme",
            "'autoscaler-min' is '6': more than autoscaler-max (3)", "'admin-email' is 'admin.example.com'",
            "no answer for 'git-owner'", "no answer for 'git-repository'", "note: pass --git with one of",
            "init wrote nothing: 7 answers need fixing",
        ] {
            #expect(result.standardError.contains(text), "missing: \(text)\n\(result.standardError)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/repo"))
    }

    /// Answers from a file keep their place: a problem points at its line and column.
    @Test func answersFileProblemsAreLocated() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(
            "answers.yml",
            """
            git: github
            cloud: aws
            endpoint: kkp.example.com/
            admin-email: admin@example.com
            git-owner: acme
            git-repository: platform
            monitorin: true

            """)
        let result = try await slipway.run(
            ["init", "repo", "--preset", "kkp", "--answers", "answers.yml"], in: directory.path)
        #expect(result.status == 2)
        #expect(result.standardError.contains("answers.yml:3:11: error: 'endpoint' is 'kkp.example.com/'"))
        #expect(result.standardError.contains("write it without the slash: kkp.example.com"))
        #expect(
            result.standardError.contains(
                "answers.yml:7:1: error: unknown answer 'monitorin' (did you mean 'monitoring'?)"))

        #expect(result.standardError.contains("init wrote nothing: 2 answers need fixing"))

        // A shape problem does not hide the others.
        try directory.write("nested.yml", "git: github\ncloud: [aws]\n")
        let nested = try await slipway.run(
            ["init", "repo", "--preset", "kkp", "--answers", "nested.yml"], in: directory.path)
        #expect(nested.status == 2)
        #expect(nested.standardError.contains("nested.yml:2:8: error: 'cloud' is 'a list or mapping'"))
        #expect(nested.standardError.contains("no answer for 'endpoint'"))

        // Flags win over the file.
        let fixed = try await slipway.run(
            ["init", "repo", "--preset", "kkp", "--answers", "answers.yml", "--endpoint", "kkp.example.com"],
            in: directory.path)
        #expect(fixed.status == 2, "the unknown key still stops it")
        #expect(!fixed.standardError.contains("'endpoint'"))
    }

    /// A non-empty directory is refused; --force writes beside what is there but never over a file
    /// init did not write; init's own files it may replace.
    @Test func neverOverwritesAFileItDidNotWrite() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("repo/notes.txt", "mine\n")
        let refused = try await slipway.run(
            ["init", "repo", "--preset", "kkp", "--yes"] + required, in: directory.path)
        #expect(refused.status == 2)
        #expect(refused.standardError.contains("repo is not empty: init writes a new repository"))
        #expect(files(in: "\(directory.path)/repo") == ["notes.txt"])

        let forced = try await slipway.run(
            ["init", "repo", "--preset", "kkp", "--yes", "--force"] + required, in: directory.path)
        #expect(forced.status == 0, "\(forced.standardError)")
        #expect(try String(contentsOfFile: "\(directory.path)/repo/notes.txt", encoding: .utf8) == "mine\n")

        // Its own files, unchanged since, it may write again with other answers.
        let again = try await slipway.run(
            ["init", "repo", "--preset", "kkp", "--yes", "--force", "--monitoring", "true"] + required,
            in: directory.path)
        #expect(again.status == 0, "\(again.standardError)")
        #expect(again.standardOutput.contains("updated   kubermatic/values.yaml"))

        // A file the user changed is theirs: nothing is written, and it is named.
        let readme = "\(directory.path)/repo/README.md"
        try "my notes\n".write(toFile: readme, atomically: true, encoding: .utf8)
        let before = files(in: "\(directory.path)/repo")
        let values = try String(contentsOfFile: "\(directory.path)/repo/kubermatic/values.yaml", encoding: .utf8)
        let conflict = try await slipway.run(
            ["init", "repo", "--preset", "kkp", "--yes", "--force", "--monitoring", "false"] + required,
            in: directory.path)
        #expect(conflict.status == 2)
        #expect(conflict.standardError.contains("init would replace 1 file it did not write; it wrote nothing"))
        #expect(conflict.standardError.contains("repo/README.md exists and differs"))
        #expect(try String(contentsOfFile: readme, encoding: .utf8) == "my notes\n")
        #expect(files(in: "\(directory.path)/repo") == before)
        #expect(
            try String(contentsOfFile: "\(directory.path)/repo/kubermatic/values.yaml", encoding: .utf8) == values)
    }

    /// On a terminal, init asks what was not given, shows the defaults, and asks again at once
    /// when an answer is wrong.
    @Test func promptsOnATerminal() async throws {
        let script = try requireTool("script")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // git, cloud, then Enter for every default up to the endpoint, a wrong endpoint and its
        // fix, the admin, defaults, owner and repository, defaults.
        var lines = ["gitlab", "aws"] + Array(repeating: "", count: 8)
        lines += ["https://kkp.example.com", "kkp.example.com", "admin@example.com"]
        lines += Array(repeating: "", count: 9) + ["acme", "platform", "", ""]
        let result = try await SlipwayBinary(path: script).run(
            ["-qec", "\(slipway.path) init repo --preset kkp --seed 3 --no-color", "/dev/null"], in: directory.path,
            input: lines.joined(separator: "\n") + "\n")
        #expect(result.status == 0, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("Cluster name [friendly-poincare]:"))
        #expect(result.standardOutput.contains("Region [eu-central-1]:"))
        #expect(result.standardOutput.contains("it has a scheme: write only the name: kkp.example.com"))
        let spec = try String(contentsOfFile: "\(directory.path)/repo/slipway.yml", encoding: .utf8)
        #expect(spec.contains("platforms: [gitlab]"))
        #expect(spec.contains("repository: acme/platform"))
        #expect(FileManager.default.fileExists(atPath: "\(directory.path)/repo/.gitlab-ci.yml"))
    }

    /// GCP asks its project, and takes workload identity as a pair: what is missing is listed at
    /// once and nothing is written; with the answers, the repository is GCP's alone.
    @Test func gcpNeedsItsProjectAndWorkloadIdentityAsAPair() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let kops = try await slipway.run(["init", "--preset", "kops", "--adopt"], in: directory.path)
        #expect(kops.status == 2)
        #expect(kops.standardError.contains("kops has none to adopt"))
        let gcp = required.map { $0 == "aws" ? "gcp" : $0 }
        let incomplete = try await slipway.run(
            [
                "init", "repo", "--preset", "kkp", "--yes", "--no-color", "--gcp-service-account",
                "kkp-ci@acme-platform.iam.gserviceaccount.com",
            ] + gcp, in: directory.path)
        #expect(incomplete.status == 2)
        #expect(incomplete.standardError.contains("error: no answer for 'gcp-project'"))
        #expect(incomplete.standardError.contains("error: no answer for 'gcp-workload-identity-provider'"))
        #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/repo"))

        let result = try await slipway.run(
            [
                "init", "repo", "--preset", "kkp", "--yes", "--gcp-project", "acme-platform",
                "--gcp-workload-identity-provider",
                "projects/42/locations/global/workloadIdentityPools/ci/providers/gitlab",
                "--gcp-service-account", "kkp-ci@acme-platform.iam.gserviceaccount.com",
            ] + gcp, in: directory.path)
        #expect(result.status == 0, "\(result.standardError)")
        let written = try FileManager.default.subpathsOfDirectory(atPath: "\(directory.path)/repo/terraform")
        #expect(written.contains("gcp/main.tf") && !written.contains { $0.hasPrefix("aws") })
        let spec = try String(contentsOfFile: "\(directory.path)/repo/slipway.yml", encoding: .utf8)
        #expect(spec.contains("provider: projects/42/locations/global/workloadIdentityPools/ci/providers/gitlab"))
        let validate = try await slipway.run(["validate"], in: "\(directory.path)/repo")
        #expect(validate.status == 0, "\(validate.standardError)")
    }
}

/// The flags every kOps test repository needs: the answers without a default.
private let kopsRequired = [
    "--git", "gitlab", "--dns-zone", "k8s.example.com", "--state-store", "s3://acme-kops-state", "--git-owner",
    "acme", "--git-repository", "clusters",
]

/// End-to-end: `slipway init --preset kops` as users run it.
@Suite struct KOpsInitCommandTests {
    /// The repository it writes validates, generates nothing new, and plans one cluster's change
    /// as that cluster's dry run.
    @Test(arguments: ["github", "gitlab", "bitbucket"])
    func theWrittenRepositoryValidatesAndIsGenerated(git: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var arguments = kopsRequired
        arguments[1] = git
        let result = try await slipway.run(
            ["init", "repo", "--preset", "kops", "--yes", "--answer", "region@prod=us-east-1"] + arguments,
            in: directory.path)
        try #require(result.status == 0, "\(result.standardError)")
        let repository = "\(directory.path)/repo"
        let written = files(in: repository)
        for path in ["templates/cluster.yaml", "clusters/prod/values.yaml", "scripts/kops.sh", "README.md"] {
            #expect(written.contains(path), "\(path) in \(written)")
        }
        #expect(
            result.standardOutput.contains(
                "Wrote the kOps repository for dev (dev.k8s.example.com) → staging (staging.k8s.example.com) → prod (prod.k8s.example.com)"
            ))
        let prod = try String(contentsOfFile: "\(repository)/clusters/prod/values.yaml", encoding: .utf8)
        #expect(prod.contains("  - us-east-1a"))
        #expect((try await slipway.run(["validate"], in: repository)).status == 0)
        let check = try await slipway.run(["generate", "--check"], in: repository)
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
        let plan = try PlanJSON(
            try await slipway.run(
                ["plan", "--event", "pull_request", "--changed", "clusters/prod/values.yaml", "--format", "json"],
                in: repository))
        #expect(plan.selected.map(\.id) == ["render@prod", "dry-run@prod"])
    }

    /// With --yes, every missing or wrong answer is listed at once, a cluster's own answers
    /// named as --answer takes them, and nothing is written.
    @Test func everyProblemAtOnceAndNothingWritten() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await slipway.run(
            [
                "init", "repo", "--preset", "kops", "--yes", "--git", "github", "--state-store", "s3://Acme",
                "--clusters", "dev,prod", "--answer", "region@prd=us-east-1", "--endpoint", "kkp.example.com",
            ], in: directory.path)
        #expect(result.status == 2)
        for text in [
            "no answer for 'dns-zone'", "'state-store' is 's3://Acme': not an S3 state store",
            "unknown answer 'region@prd' (did you mean 'region@prod'?)", "unknown answer 'endpoint'",
            "no answer for 'git-owner'", "init wrote nothing: 6 answers need fixing",
        ] {
            #expect(result.standardError.contains(text), "\(text) in \(result.standardError)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/repo"))
        let malformed = try await slipway.run(
            ["init", "repo", "--preset", "kops", "--answer", "region"] + kopsRequired, in: directory.path)
        #expect(malformed.status == 2)
        #expect(malformed.standardError.contains("--answer takes key=value, such as region@prod=us-east-1"))
    }

    /// An answers file gives the clusters their own answers, located when wrong.
    @Test func anAnswersFileGivesEachClusterItsOwn() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(
            "answers.yml",
            """
            git: bitbucket
            clusters: test,live
            dns-zone: k8s.example.com
            name@live: live.example.com
            state-store: s3://acme-kops-state
            git-owner: acme
            git-repository: clusters

            """)
        let wrong = try await slipway.run(
            ["init", "repo", "--preset", "kops", "--answers", "answers.yml", "--yes"], in: directory.path)
        #expect(wrong.status == 2)
        #expect(
            wrong.standardError.contains(
                "answers.yml:4:12: error: 'name@live' is 'live.example.com': it is not inside its DNS zone k8s.example.com"
            ),
            "\(wrong.standardError)")
        #expect(wrong.standardError.contains("note: use a name such as live.k8s.example.com, or give dns-zone@live"))
        let fixed = try await slipway.run(
            [
                "init", "repo", "--preset", "kops", "--answers", "answers.yml", "--yes", "--answer",
                "dns-zone@live=example.com",
            ],
            in: directory.path)
        #expect(fixed.status == 0, "\(fixed.standardError)")
        let spec = try String(contentsOfFile: "\(directory.path)/repo/slipway.yml", encoding: .utf8)
        #expect(spec.contains("KOPS_CLUSTER_NAME: live.example.com"))
        #expect(
            spec.contains(
                "- name: live\n    # Every deploy to this cluster waits for one approval per run.\n    gate: manual"))
    }

    /// On a terminal it asks each question with its default, a question per cluster once the
    /// clusters are known, and again at once for a wrong answer.
    @Test func promptsOnATerminal() async throws {
        let script = try requireTool("script")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // git, two clusters, the zone, the region; per cluster its name and region; the state
        // store (wrong, then right), the releases, the gates, the role, owner and repository.
        var lines = ["github", "dev,prod", "k8s.example.com", ""]
        lines += ["", "", "", "us-east-1"]
        lines += ["https://acme-kops-state", "s3://acme-kops-state", "", "", "", "", "acme", "clusters"]
        let result = try await SlipwayBinary(path: script).run(
            ["-qec", "\(slipway.path) init repo --preset kops --no-color", "/dev/null"], in: directory.path,
            input: lines.joined(separator: "\n") + "\n")
        #expect(result.status == 0, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("Cluster name for prod [prod.k8s.example.com]:"))
        #expect(result.standardOutput.contains("Region for prod [eu-central-1]:"))
        #expect(
            result.standardOutput.contains(
                "Environments whose deploys wait for an approval (comma-separated, or none) [prod]:"))
        #expect(result.standardOutput.contains("'state-store' is 'https://acme-kops-state': not an S3 state store"))
        let values = try String(contentsOfFile: "\(directory.path)/repo/clusters/prod/values.yaml", encoding: .utf8)
        #expect(values.contains("  - us-east-1a"))
        #expect(FileManager.default.fileExists(atPath: "\(directory.path)/repo/.github/workflows/slipway.yml"))
    }
}
