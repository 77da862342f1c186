import Foundation
import SlipwayTesting
import Testing

private let spec = """
    version: 1
    environments: [master]
    jobs:
      tf-plan:
        paths: ["terraform/**"]
        run: terraform plan
      tf-apply:
        on: [push]
        needs: [tf-plan]
        paths: ["terraform/**"]
        mutates: true
        environment: master
        run: terraform apply
      kubeone:
        paths: ["kubeone/**"]
        run: kubeone apply --dry-run
      docs:
        paths: ["docs/**"]
        run: make docs
      ghost:
        paths: ["ghost/**"]
        run: echo never changed

    """

/// A repository with the spec and one file per area on `main`.
private func repository() async throws -> TemporaryGitRepository {
    let repository = try await TemporaryGitRepository.create()
    try repository.write("slipway.yml", spec)
    try repository.write("terraform/main.tf")
    try repository.write("kubeone/kubeone.yaml")
    try repository.write("docs/index.md")
    try await repository.commit("initial")
    return repository
}

/// End-to-end: the built binary computes change sets with real git.
@Suite struct PlanGitTests {
    @Test func pullRequestUsesTheMergeBaseWhenTheBaseMovedOn() async throws {
        let repository = try await repository()
        defer { repository.remove() }
        try await repository.git("checkout", "--quiet", "-b", "feature")
        try repository.write("kubeone/kubeone.yaml", "changed\n")
        let head = try await repository.commit("feature work")
        try await repository.git("checkout", "--quiet", "main")
        try repository.write("terraform/main.tf", "moved on\n")
        try await repository.commit("main moved on")
        let mergeBase = try await repository.git("merge-base", "main", "feature")

        let result = try await slipway.run(
            ["plan", "--event", "pull_request", "--base", "main", "--head", "feature", "--format", "json"],
            in: repository.path)
        #expect(result.status == 0, "\(result.standardError)")
        let plan = try PlanJSON(result)
        #expect(plan.event == "pull_request")
        #expect(plan.base == mergeBase)
        #expect(plan.head == head)
        #expect(plan.changed == ["kubeone/kubeone.yaml"])
        #expect(plan.selected.map(\.id) == ["kubeone"])
        #expect(plan.skipped.first { $0.id == "tf-apply" }?.reason == "mutating jobs never run for pull requests")
    }

    @Test func aPullRequestWithoutBaseComparesWithTheDefaultBranch() async throws {
        let repository = try await repository()
        defer { repository.remove() }
        try await repository.git("checkout", "--quiet", "-b", "feature")
        try repository.write("docs/guide.md")
        try await repository.commit("docs")
        let result = try await slipway.run(
            ["plan", "--event", "pull_request", "--format", "json"], in: repository.path)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try PlanJSON(result).changed == ["docs/guide.md"])
    }

    @Test func theFirstPushWithAnAllZeroBeforeChangesEverything() async throws {
        let repository = try await repository()
        defer { repository.remove() }
        let result = try await slipway.run(
            [
                "plan", "--event", "push", "--before", String(repeating: "0", count: 40), "--after", "HEAD", "--format",
                "json",
            ],
            in: repository.path)
        #expect(result.status == 0, "\(result.standardError)")
        let plan = try PlanJSON(result)
        #expect(plan.base == nil)
        #expect(plan.changed == ["docs/index.md", "kubeone/kubeone.yaml", "slipway.yml", "terraform/main.tf"])
        // Everything counts as changed: every path filter matches, even one no file matches.
        #expect(plan.selected.map(\.id) == ["tf-plan", "tf-apply", "kubeone", "docs", "ghost"])
        #expect(plan.selected.last?.reasons == ["everything counts as changed"])
    }

    @Test func anUnknownBeforeAndARootCommitAlsoChangeEverything() async throws {
        let repository = try await repository()
        defer { repository.remove() }
        let unknown = try await slipway.run(
            ["plan", "--event", "push", "--before", "1234567890abcdef1234567890abcdef12345678"], in: repository.path)
        #expect(unknown.status == 0, "\(unknown.standardError)")
        #expect(unknown.standardOutput.contains("is not in this repository: every file counts as changed"))
        let root = try await slipway.run(["plan", "--after", "HEAD", "--format", "json"], in: repository.path)
        #expect(try PlanJSON(root).changed.count == 4)
    }

    @Test func aRenameCountsBothPathsAndDeletionsCount() async throws {
        let repository = try await repository()
        defer { repository.remove() }
        try await repository.git("mv", "terraform/main.tf", "kubeone/main.tf")
        try await repository.git("rm", "--quiet", "docs/index.md")
        try await repository.commit("move and delete")
        let result = try await slipway.run(
            ["plan", "--event", "push", "--before", "HEAD^", "--format", "json"], in: repository.path)
        #expect(result.status == 0, "\(result.standardError)")
        let plan = try PlanJSON(result)
        #expect(plan.changed == ["docs/index.md", "kubeone/main.tf", "terraform/main.tf"])
        #expect(plan.selected.map(\.id) == ["tf-plan", "tf-apply", "kubeone", "docs"])
        #expect(plan.selected.first { $0.id == "tf-apply" }?.reasons == ["terraform/main.tf matches terraform/**"])
    }

    @Test func anUnknownBaseSaysHowToFetchIt() async throws {
        let repository = try await repository()
        defer { repository.remove() }
        let result = try await slipway.run(["plan", "--base", "origin/release"], in: repository.path)
        #expect(result.status == 2)
        #expect(result.standardError.contains("error: base 'origin/release' is not a commit in this repository"))
        #expect(result.standardError.contains("git fetch origin release"))
    }

    @Test func outsideARepositoryItPointsAtChangedFiles() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("slipway.yml", spec)
        let result = try await slipway.run(["plan", "--event", "push"], in: directory.path)
        #expect(result.status == 2)
        #expect(result.standardError.contains("is not inside a git repository"))
        #expect(result.standardError.contains("--changed-from"))
    }
}

/// End-to-end: change sets given by hand bypass git.
@Suite struct PlanChangedFilesTests {
    @Test func changedFromStandardInput() async throws {
        let result = try await slipway.run(
            [
                "plan", "--spec", "examples/kkp/slipway.yml", "--event", "pull_request", "--changed-from", "-",
                "--format", "json",
            ],
            in: repositoryRoot, input: "./terraform/aws/main.tf\r\n\nkubermatic/README.md\n")
        #expect(result.status == 0, "\(result.standardError)")
        let plan = try PlanJSON(result)
        #expect(plan.base == nil && plan.head == nil)
        #expect(plan.changed == ["kubermatic/README.md", "terraform/aws/main.tf"])
        #expect(plan.selected.map(\.id) == ["terraform-validate", "terraform-plan"])
    }

    @Test func textAndMarkdownSnapshotsOfTheExamples() async throws {
        let cases: [(spec: String, event: String, changed: [String], fixture: String)] = [
            ("examples/kkp/slipway.yml", "push", ["terraform/aws/main.tf", "kubermatic/README.md"], "plan-kkp-push"),
            ("examples/kkp/slipway.yml", "pull_request", ["kubermatic/values.yaml", "flux/README.md"], "plan-kkp-pr"),
            ("examples/kops/slipway.yml", "push", ["clusters/prod/values.yaml"], "plan-kops-push"),
        ]
        for example in cases {
            for format in ["text", "markdown", "json"] {
                var arguments = ["plan", "--spec", example.spec, "--event", example.event, "--format", format]
                for path in example.changed { arguments += ["--changed", path] }
                let result = try await slipway.run(arguments, in: repositoryRoot)
                #expect(result.status == 0, "\(result.standardError)")
                expectSnapshot(
                    result.standardOutput, fixture: example.fixture,
                    name: "plan.\(format == "markdown" ? "md" : format)")
            }
        }
    }

    @Test func manualRunsTakeNoChangeSet() async throws {
        let result = try await slipway.run(
            ["plan", "--spec", "examples/kkp/slipway.yml", "--event", "manual", "--changed", "x"], in: repositoryRoot)
        #expect(result.status == 2)
        #expect(result.standardError.contains("manual runs select every job that listens to them"))
    }
}
