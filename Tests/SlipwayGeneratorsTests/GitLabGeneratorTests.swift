import Foundation
import SlipwayCore
import SlipwayGenerators
import SlipwayRunner
import SlipwayTesting
import Testing
import Yams

private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

private func example(_ name: String) throws -> Pipeline {
    let result = SpecValidator.pipeline(path: "\(repositoryRoot)/examples/\(name)/slipway.yml")
    return try #require(result.pipeline, "\(result.diagnostics)")
}

private func document(_ text: String) throws -> [String: Any] {
    try #require(try Yams.load(yaml: text) as? [String: Any])
}

private func file(_ path: String, _ pipeline: Pipeline) throws -> String {
    try #require(try GitLabGenerator().generate(pipeline).first { $0.path == path }).contents
}

/// Asks the model of GitLab's rules (`scripts/gitlab_rules_oracle.rb`) which jobs a pipeline of
/// the configuration at `path` (relative to `directory`) contains; fails when GitLab would refuse it.
func gitLabPipelineJobs(_ path: String, in directory: String, _ request: [String: String]) async throws -> [String] {
    let input = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
    let result = try await run(
        "ruby", ["\(repositoryRoot)/scripts/gitlab_rules_oracle.rb", path], in: directory, input: input)
    try #require(result.status == 0, "GitLab would refuse \(path): \(result.standardError)")
    return try JSONDecoder().decode([String].self, from: Data(result.standardOutput.utf8))
}

/// A repository with the generated GitLab files in its work tree (ignored by git, so commits and
/// change sets do not see them), where `slipway-detect` and the child's jobs run for real.
struct GitLabWorkTree {
    let remote: MarkedRepository
    let files: [GeneratedFile]

    init(_ pipeline: Pipeline, in remote: MarkedRepository) async throws {
        self.remote = remote
        self.files = try GitLabGenerator().generate(pipeline)
        try remote.repository.write(".git/info/exclude", ".gitlab/\n.slipway/\n")
        for file in files { try remote.repository.write(file.path, file.contents) }
    }

    var path: String { remote.repository.path }

    /// The environment GitLab gives a job of a pipeline from `source` on `main`.
    func environment(_ source: String, branch: String? = "main", extra: [String: String] = [:]) async throws -> [String:
        String?]
    {
        var environment: [String: String?] = [
            "CI_PIPELINE_SOURCE": source, "CI_COMMIT_SHA": try await remote.repository.git("rev-parse", "HEAD"),
            "CI_REPOSITORY_URL": remote.origin.path, "CI_PROJECT_DIR": path, "CI_PROJECT_PATH": "acme/platform",
            "CI_PIPELINE_ID": "7", "CI_COMMIT_BRANCH": branch,
            "PATH": "\(remote.tools.path)/bin:/usr/bin:/bin", "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_CONFIG_NOSYSTEM": "1",
        ]
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// Runs `slipway-detect` and returns the jobs GitLab's rules put into the child pipeline it
    /// wrote (without the placeholder for an empty one).
    func child(_ source: String, branch: String? = "main", extra: [String: String] = [:], now: Int = 0) async throws
        -> [String]
    {
        var environment = try await environment(source, branch: branch, extra: extra)
        environment["FAKE_NOW"] = String(now)
        let parent = try document(try #require(files.first?.contents))
        let script = try #require(
            ((parent[GitLabGenerator.detectionJob] as? [String: Any])?["script"] as? [String])?.first)
        let result = try await run("bash", ["-c", script], in: path, environment: environment)
        try #require(result.status == 0, "slipway-detect failed:\n\(result.standardOutput)\(result.standardError)")
        let jobs = try await gitLabPipelineJobs(GitLabGenerator.childPath, in: path, ["source": "parent_pipeline"])
        #expect(!jobs.isEmpty, "GitLab refuses a child pipeline without jobs")
        return jobs.filter { $0 != GitLabGenerator.nothingJob }
    }

    /// Runs `job` of the child pipeline as a runner would, and returns its outcome.
    ///
    /// The file's variables come first, then the job's, then its script.
    func runChildJob(_ job: String, now: Int, extra: [String: String] = [:]) async throws -> CommandResult {
        let child = try document(try String(contentsOfFile: "\(path)/\(GitLabGenerator.childPath)", encoding: .utf8))
        var environment = try await environment("parent_pipeline", branch: nil)
        environment["FAKE_NOW"] = String(now)
        func add(_ variables: Any?) {
            for (name, value) in variables as? [String: Any] ?? [:] {
                if let value = value as? String {
                    environment[name] = value
                } else if let value = (value as? [String: Any])?["value"] as? String {
                    environment[name] = value
                }
            }
        }
        add(child["variables"])
        let definition = try #require(child[job] as? [String: Any], "\(job) is not in the child pipeline")
        add(definition["variables"])
        for (key, value) in extra { environment[key] = value }
        let script = try #require((definition["script"] as? [String])?.first)
        return try await run("bash", ["-c", script], in: path, environment: environment)
    }
}

@Suite struct GitLabGeneratorTests {
    /// GitLab.com refuses a pipeline where one job needs more than 50 others; the job that would
    /// is named where it is written, with its count: what it waits for plus the approvals of its
    /// gated environment.
    @Test func aJobNeedingMoreThanGitLabAllowsIsRefusedWhereItIsWritten() throws {
        let producers = (1...49).map {
            "\n  step-\($0):\n    on: [push]\n    paths: [\"src/\($0)/**\"]\n    run: \"true\""
        }
        let marked = MarkedText(
            """
            version: 1
            environments: [{ name: prod, gate: manual }]
            jobs:
              first:
                on: [push]
                mutates: true
                environment: prod
                paths: ["first/**"]
                run: "true"
              ⟨last⟩last:
                on: [push]
                mutates: true
                environment: prod
                needs: [first, \((1...49).map { "step-\($0)" }.joined(separator: ", "))]
                paths: ["last/**"]
                run: "true"
            """ + producers.joined())
        let pipeline = try #require(SpecValidator.pipeline(text: marked.text, file: marked.file).pipeline)
        let diagnostics = refusal(.gitlab, pipeline, "52 needs must be refused")
        // 50 jobs it waits for, and the approvals before first and before itself.
        #expect(
            diagnostics == [
                Diagnostic(
                    .tooManyNeeds(platform: .gitlab, job: "last", needs: 52, limit: 50), at: marked.location("last")
                )
            ])
    }

    @Test func goldenConfiguration() throws {
        let files = try GitLabGenerator().generate(try example("kops"))
        #expect(files.map(\.path) == [".gitlab-ci.yml", ".gitlab/slipway/jobs.yml", ".gitlab/slipway/detect.sh"])
        for (file, name) in zip(files, ["gitlab-ci.yml", "jobs.yml", "detect.sh"]) {
            if let difference = Snapshot.compare(file.contents, fixture: "gitlab-kops", name: name) {
                Issue.record(Comment(rawValue: difference))
            }
        }
    }

    /// `workflow:rules:auto_cancel` overrides `workflow:auto_cancel` for the pipelines a rule
    /// matches (gitlab-org/gitlab!141090, on by default since 16.9): merge-request pipelines cancel
    /// their older interruptible jobs, default-branch pipelines never do.
    @Test func onlyMergeRequestPipelinesAreCancelledByANewerCommit() throws {
        let parent = try document(try file(GitLabGenerator.path, try example("kops")))
        let workflow = try #require(parent["workflow"] as? [String: Any])
        #expect((workflow["auto_cancel"] as? [String: Any])?["on_new_commit"] as? String == "interruptible")
        let rules = try #require(workflow["rules"] as? [[String: Any]])
        let push = try #require(rules.first { ($0["if"] as? String)?.contains("\"push\"") == true })
        #expect((push["auto_cancel"] as? [String: Any])?["on_new_commit"] as? String == "none")
        let mergeRequest = try #require(
            rules.first { ($0["if"] as? String)?.contains("merge_request_event") == true })
        #expect(mergeRequest["auto_cancel"] == nil)
    }

    /// The parent pipeline is the same for every event: detection, then the child it wrote, whose
    /// status the parent mirrors; merge requests into other branches get no pipeline.
    @Test func theParentDetectsThenRunsTheChild() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("parent.yml", try file(GitLabGenerator.path, try example("kops")))
        for source in ["push", "merge_request_event"] {
            let request = ["source": source, "branch": "main", "target": "main"]
            #expect(
                try await gitLabPipelineJobs("parent.yml", in: directory.path, request) == [
                    "slipway-detect", "slipway-jobs",
                ])
        }
        #expect(
            try await gitLabPipelineJobs(
                "parent.yml", in: directory.path, ["source": "merge_request_event", "target": "release"]) == [])
        #expect(
            try await gitLabPipelineJobs("parent.yml", in: directory.path, ["source": "push", "branch": "x"]) == [])
        let parent = try document(try file(GitLabGenerator.path, try example("kops")))
        let trigger = try #require((parent["slipway-jobs"] as? [String: Any])?["trigger"] as? [String: Any])
        #expect(trigger["strategy"] as? String == "mirror")
        #expect(
            trigger["include"] as? [[String: String]] == [
                ["artifact": GitLabGenerator.childPath, "job": GitLabGenerator.detectionJob]
            ])
        #expect((trigger["forward"] as? [String: Bool])?["yaml_variables"] == false)
        let detect = try #require(parent["slipway-detect"] as? [String: Any])
        #expect((detect["variables"] as? [String: String])?["GIT_DEPTH"] == "0")
    }

    /// Web and scheduled pipelines run on any branch, and forks run pipelines: the detection keeps
    /// mutating jobs out of the child unless the pipeline is the canonical project's default branch.
    @Test func mutatingJobsRunOnlyOnTheDefaultBranchOfTheCanonicalProject() async throws {
        let spec = """
            version: 1
            repository: acme/platform
            environments: [prod]
            jobs:
              plan: { on: [manual], run: terraform plan }
              apply: { on: [manual], needs: [plan], mutates: true, environment: prod, run: terraform apply }
            """
        let pipeline = try #require(SpecValidator.pipeline(text: spec).pipeline)
        let remote = try await MarkedRepository.make(files: ["main.tf"])
        defer { remote.remove() }
        let tree = try await GitLabWorkTree(pipeline, in: remote)
        #expect(try await tree.child("web") == ["plan", "apply"])
        #expect(try await tree.child("web", branch: "feature") == ["plan"])
        #expect(try await tree.child("web", extra: ["CI_PROJECT_PATH": "someone/platform"]) == ["plan"])
    }

    /// The KKP pipelines `init` and `--adopt` write, through the model of GitLab's rules: the first
    /// push runs what convergence selects, a merge request of `kubermatic/values.yaml` checks only
    /// KKP's configuration, and a web pipeline of another branch or a fork deploys nothing.
    @Test(arguments: ["kkp-init-gitlab", "kkp-adopted-gitlab"])
    func theKKPPipelinesSelectPerJob(name: String) async throws {
        let pipeline = try KKPFixtures.pipeline(named: name)
        let remote = try await MarkedRepository.make(files: [
            "terraform/aws/main.tf", "kubeone/kubeone.yaml", "kubermatic/values.yaml",
            "flux/clusters/master/kubermatic/seed.yaml", "scripts/kkp.sh", "README.md",
        ])
        defer { remote.remove() }
        let tree = try await GitLabWorkTree(pipeline, in: remote)
        let repository = remote.repository
        let first = try await repository.git("rev-parse", "HEAD")
        func selected(_ answers: [String: Bool]) -> Set<String> { Set(answers.filter(\.value).keys) }

        let push = try await tree.child("push")
        #expect(Set(push) == selected(try await remote.expected(pipeline, .push)))
        #expect(push.contains("kkp-deploy") && push.contains("terraform-apply"), "nothing succeeded yet: \(push)")

        try repository.write("kubermatic/values.yaml", "tuned\n")
        let head = try await repository.commit("Tune KKP")
        let changes = try await ChangeSetResolver(runner: ProcessRunner(), directory: repository.path)
            .pullRequest(base: first, head: head)
        let mergeRequest = try await tree.child(
            "merge_request_event", branch: nil, extra: ["CI_MERGE_REQUEST_DIFF_BASE_SHA": first])
        let planned = Planner().plan(pipeline, event: .pullRequest, changes: changes).selectedIDs
        #expect(Set(mergeRequest) == Set(planned.map(JobInstance.slug(for:))))
        #expect(mergeRequest == ["kubermatic-validate"], "\(mergeRequest)")

        // Everything, by hand (SLIPWAY_ALL), deploys only from the canonical project's default branch.
        let mutating = Set(pipeline.instances.filter(\.mutates).map(\.slug))
        let everything = try await tree.child("web", extra: ["SLIPWAY_ALL": "true"])
        #expect(!mutating.isDisjoint(with: everything), "\(everything)")
        for (branch, extra) in [("feature", [:]), ("main", ["CI_PROJECT_PATH": "someone/platform"])] {
            let web = try await tree.child("web", branch: branch, extra: extra.merging(["SLIPWAY_ALL": "true"]) { $1 })
            #expect(!web.isEmpty && mutating.isDisjoint(with: web), "\(branch) \(extra): \(web)")
        }
    }

    /// The kOps pipeline `init` writes, through the model of GitLab's rules: the first push runs
    /// every cluster's jobs, a merge request of one cluster's values dry-runs that cluster alone,
    /// and a web pipeline of another branch or a fork deploys nothing.
    @Test func theKOpsPipelineSelectsPerCluster() async throws {
        let pipeline = try KOpsFixtures.pipeline(named: "kops-init-gitlab")
        let remote = try await MarkedRepository.make(files: [
            "templates/cluster.yaml", "clusters/defaults.yaml", "clusters/dev/values.yaml", "clusters/prod/values.yaml",
            "scripts/kops.sh", "README.md",
        ])
        defer { remote.remove() }
        let tree = try await GitLabWorkTree(pipeline, in: remote)
        let repository = remote.repository
        let first = try await repository.git("rev-parse", "HEAD")

        let canonical = ["CI_PROJECT_PATH": "acme/clusters"]
        let push = try await tree.child("push", extra: canonical)
        #expect(Set(push) == Set(try await remote.expected(pipeline, .push).filter(\.value).keys))
        #expect(Set(push).isSuperset(of: ["deploy-dev", "deploy-prod"]), "nothing succeeded yet: \(push)")

        try repository.write("clusters/prod/values.yaml", "bigger\n")
        let head = try await repository.commit("Bigger prod")
        let changes = try await ChangeSetResolver(runner: ProcessRunner(), directory: repository.path)
            .pullRequest(base: first, head: head)
        let mergeRequest = try await tree.child(
            "merge_request_event", branch: nil,
            extra: canonical.merging(["CI_MERGE_REQUEST_DIFF_BASE_SHA": first]) { $1 })
        let planned = Planner().plan(pipeline, event: .pullRequest, changes: changes).selectedIDs
        #expect(Set(mergeRequest) == Set(planned.map(JobInstance.slug(for:))))
        #expect(Set(mergeRequest) == ["render-prod", "dry-run-prod"], "\(mergeRequest)")

        let mutating = Set(pipeline.instances.filter(\.mutates).map(\.slug))
        let everything = try await tree.child("web", extra: canonical.merging(["SLIPWAY_ALL": "true"]) { $1 })
        #expect(!mutating.isDisjoint(with: everything), "\(everything)")
        for (branch, extra) in [("feature", canonical), ("main", ["CI_PROJECT_PATH": "someone/clusters"])] {
            let web = try await tree.child("web", branch: branch, extra: extra.merging(["SLIPWAY_ALL": "true"]) { $1 })
            #expect(!web.isEmpty && mutating.isDisjoint(with: web), "\(branch) \(extra): \(web)")
        }
    }

    @Test func refusalsPointAtTheKeywordAndTheReservedName() throws {
        let marked = MarkedText(
            """
            version: 1
            jobs:
              ⟨keyword⟩stages:
                paths: ["**"]
                run: "true"
              ⟨reserved⟩slipway-detect:
                paths: ["docs/**", "!docs/drafts/**"]
                run: "true"
            """)
        let pipeline = try #require(SpecValidator.pipeline(text: marked.text, file: marked.file).pipeline)
        let diagnostics = refusal(
            .gitlab, pipeline, "a job named 'stages' and one named 'slipway-detect' must be refused")
        #expect(
            diagnostics == [
                Diagnostic(
                    .jobNameIsPlatformKeyword(platform: .gitlab, job: "stages", name: "stages"),
                    at: marked.location("keyword")),
                Diagnostic(
                    .jobNameReservedForDetection(platform: .gitlab, job: "slipway-detect", name: "slipway-detect"),
                    at: marked.location("reserved")),
            ])
    }

    @Test func structure() throws {
        let jobs = try document(try file(GitLabGenerator.jobsPath, try example("kops")))
        let update = try #require(jobs["update-prod"] as? [String: Any])
        #expect(update["resource_group"] as? String == "slipway-prod")
        #expect(update["interruptible"] as? Bool == false)
        #expect((update["environment"] as? [String: Any])?["name"] as? String == "prod")
        #expect(update["rules"] == nil)
        // prod's gate asks at an approval job, not here.
        #expect(update["when"] == nil)
        let needs = try #require(update["needs"] as? [[String: Any]])
        // Its need and its promotion predecessor, then the producer it receives files from through
        // replace@prod, which GitLab hands artifacts to only when listed here, then the approval
        // jobs that may have asked for prod in this run (the child holds one at most).
        #expect(
            needs.map { $0["job"] as? String } == [
                "replace-prod", "update-staging", "template-prod", "slipway-approve-replace-prod",
                "slipway-approve-update-prod",
            ])
        #expect(needs.map { $0["artifacts"] as? Bool } == [false, false, true, false, false])
        #expect(needs.allSatisfy { $0["optional"] as? Bool == true })
        let approval = try #require(jobs["slipway-approve-update-prod"] as? [String: Any])
        #expect(approval["when"] as? String == "manual")
        #expect(approval["allow_failure"] as? Bool == false)
        let environment = try #require(approval["environment"] as? [String: Any])
        #expect(environment["name"] as? String == "prod" && environment["action"] as? String == "prepare")
        #expect(
            (approval["needs"] as? [[String: Any]])?.map { $0["job"] as? String } == ["replace-prod", "update-staging"])
        let template = try #require(jobs["template-dev"] as? [String: Any])
        // A job that does not list a secret unsets it.
        let wrapper = try #require((template["variables"] as? [String: Any])?["SLIPWAY_WRAPPER"] as? [String: Any])
        #expect((wrapper["value"] as? String)?.contains("unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY") == true)
        #expect(wrapper["expand"] as? Bool == false)
        // The detection sets these two for each run; their defaults never deploy by accident.
        let variables = try #require(jobs["variables"] as? [String: Any])
        #expect(variables["SLIPWAY_EVENT"] as? String == "push")
        #expect(variables["SLIPWAY_MARKS"] as? String == "false")
    }

    /// On random pipelines (negated patterns included), histories, force pushes and marks, the
    /// child pipeline the generated detection writes holds exactly what `slipway plan` selects, for
    /// merge requests, converging pushes and web pipelines (with and without SLIPWAY_ALL), and
    /// schedules, and GitLab's rules accept it.
    @Test func theChildPipelineHoldsWhatThePlannerSelects() async throws {
        var generator = SeededGenerator(seed: 0x6174_4C61)
        var mixed = 0
        for _ in 0..<6 {
            let spec = randomSpec(using: &generator)
            let pipeline = try #require(SpecValidator.pipeline(text: spec).pipeline, "\(spec)")
            let remote = try await MarkedRepository.make(files: randomPaths(using: &generator))
            defer { remote.remove() }
            let tree = try await GitLabWorkTree(pipeline, in: remote)
            let repository = remote.repository
            let first = try await repository.git("rev-parse", "HEAD")
            var life = MarkedRepository.Life()
            for step in 0..<5 {
                try await remote.randomStep(step, of: pipeline, &life, using: &generator)
                func slugs(_ ids: [String]) -> Set<String> { Set(ids.map(JobInstance.slug(for:))) }
                func selected(_ answers: [String: Bool]) -> Set<String> { Set(answers.filter(\.value).keys) }

                let push = try await tree.child("push")
                #expect(Set(push) == selected(try await remote.expected(pipeline, .push)), "push \(step)\n\(spec)")
                let web = try await tree.child("web")
                #expect(Set(web) == selected(try await remote.expected(pipeline, .manual)), "web \(step)\n\(spec)")
                let all = Planner().plan(pipeline, event: .manual, changes: ChangeSet(paths: [])).selectedIDs
                #expect(Set(try await tree.child("web", extra: ["SLIPWAY_ALL": "true"])) == slugs(all))
                let schedule = Planner().plan(pipeline, event: .schedule, changes: ChangeSet(paths: [])).selectedIDs
                #expect(Set(try await tree.child("schedule")) == slugs(schedule))

                // A merge request from the head against the first commit.
                let resolver = ChangeSetResolver(runner: ProcessRunner(), directory: repository.path)
                let head = try await repository.git("rev-parse", "HEAD")
                let changes = try await resolver.pullRequest(base: first, head: head)
                let mergeRequest = try await tree.child(
                    "merge_request_event", branch: nil, extra: ["CI_MERGE_REQUEST_DIFF_BASE_SHA": first])
                let planned = Planner().plan(pipeline, event: .pullRequest, changes: changes).selectedIDs
                #expect(Set(mergeRequest) == slugs(planned), "merge request \(step): \(changes.paths)\n\(spec)")
                if !push.isEmpty && push.count < pipeline.instances.count { mixed += 1 }
            }
        }
        #expect(mixed > 6, "only \(mixed) pushes selected some jobs and not others")
    }

    /// The child's own jobs record their marks: a deploy that failed is run again by the next
    /// push, though that push touched nothing it watches, and then the pipeline converges.
    @Test func aFailedDeployIsRunAgainByTheNextPush() async throws {
        let pipeline = try failingApplyPipeline()
        let remote = try await MarkedRepository.make(files: ["infra/main.tf", "docs/index.md"])
        defer { remote.remove() }
        let tree = try await GitLabWorkTree(pipeline, in: remote)
        try remote.repository.write("infra/main.tf", "bigger\n")
        try await remote.repository.commit("a change that fails to apply")
        try await remote.repository.git("push", "--quiet", "origin", "main")
        #expect(try await tree.child("push") == ["plan", "apply"])
        #expect(try await tree.runChildJob("plan", now: 10).status == 0)
        #expect(try await tree.runChildJob("apply", now: 11, extra: ["FAIL_APPLY": "yes"]).status != 0)

        // Plan is marked, apply is not: the next push, of docs only, runs apply again (and the
        // plan it needs, which the apply will use).
        try remote.repository.write("docs/index.md", "more\n")
        try await remote.repository.commit("docs only")
        try await remote.repository.git("push", "--quiet", "origin", "main")
        #expect(try await tree.child("push", now: 20) == ["plan", "apply"])
        for (job, now) in [("plan", 21), ("apply", 22)] {
            let result = try await tree.runChildJob(job, now: now)
            #expect(result.status == 0, "\(job): \(result.standardError)")
            #expect(result.standardOutput.contains("\(job): marked up to date at"), "\(result.standardOutput)")
        }
        #expect(try await tree.child("push", now: 30) == [])
        // Merge-request pipelines never write marks.
        let base = try await remote.repository.git("rev-parse", "HEAD~2")
        let head = try await remote.repository.git("rev-parse", "HEAD")
        let changes = try await ChangeSetResolver(runner: ProcessRunner(), directory: tree.path)
            .pullRequest(base: base, head: head)
        let planned = Planner().plan(pipeline, event: .pullRequest, changes: changes).selectedIDs
        #expect(planned == ["plan"])
        #expect(
            try await tree.child("merge_request_event", branch: nil, extra: ["CI_MERGE_REQUEST_DIFF_BASE_SHA": base])
                == ["plan"])
        let marksBefore = try await remote.repository.git("ls-remote", remote.origin.path, "refs/slipway/*")
        _ = try await tree.runChildJob("plan", now: 40)
        #expect(try await remote.repository.git("ls-remote", remote.origin.path, "refs/slipway/*") == marksBefore)
    }
}

/// The bundled kOps example through GitLab's model: a push changing the shared template and every
/// cluster deploys every environment in promotion order, each environment's changes in its own
/// resource group, prod behind its blocking gate.
@Suite struct GitLabExampleDeployTests {
    @Test func aChangeToEveryEnvironmentDeploysThemAll() async throws {
        let pipeline = try example("kops")
        let remote = try await MarkedRepository.make(files: [
            "templates/cluster.yaml", "clusters/dev/values.yaml", "clusters/staging/values.yaml",
            "clusters/prod/values.yaml",
        ])
        defer { remote.remove() }
        let tree = try await GitLabWorkTree(pipeline, in: remote)
        // Every job already succeeded at the first commit; then the template and each cluster change.
        for instance in pipeline.instances { try await remote.mark(instance, now: 1) }
        for path in ["templates/cluster.yaml", "clusters/dev/values.yaml", "clusters/prod/values.yaml"] {
            try remote.repository.write(path, "bigger\n")
        }
        try await remote.repository.commit("a bigger template, and dev and prod")
        try await remote.repository.git("push", "--quiet", "origin", "main")
        let jobs = try await tree.child("push")
        let expected = pipeline.executionOrder.filter { pipeline.instance($0)?.events.contains(.push) == true }
            .map(JobInstance.slug(for:))
        // prod's gate asks once: the approval job before the first prod job of the run.
        #expect(Set(jobs) == Set(expected + ["slipway-approve-replace-prod"]), "\(jobs)")
        #expect(jobs.count == 13)

        let child = try document(
            try String(contentsOfFile: "\(tree.path)/\(GitLabGenerator.childPath)", encoding: .utf8))
        for environment in ["dev", "staging", "prod"] {
            for job in ["replace", "update", "rolling-update"] {
                let definition = try #require(child["\(job)-\(environment)"] as? [String: Any])
                #expect(definition["resource_group"] as? String == "slipway-\(environment)")
                #expect(definition["when"] == nil, "\(job)-\(environment)")
                #expect(
                    (definition["needs"] as? [[String: Any]])?.contains {
                        $0["job"] as? String == "slipway-approve-replace-prod"
                    } == (environment == "prod"), "\(job)-\(environment)")
            }
        }
        // Promotion: staging's first deploy waits for dev's last, prod's for staging's.
        let replaceStaging = try #require(child["replace-staging"] as? [String: Any])
        #expect(
            (replaceStaging["needs"] as? [[String: Any]])?.contains { $0["job"] as? String == "replace-dev" } == true)
        // The child's event and marks, as the detection set them.
        let variables = try #require(child["variables"] as? [String: Any])
        #expect(variables["SLIPWAY_EVENT"] as? String == "push")
        #expect(variables["SLIPWAY_MARKS"] as? String == "true")
    }
}
