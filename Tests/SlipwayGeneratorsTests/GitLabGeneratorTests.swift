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

@Suite struct GitLabGeneratorTests {
    @Test func goldenConfiguration() throws {
        let files = try GitLabGenerator().generate(try example("kops"))
        #expect(files.map(\.path) == [".gitlab-ci.yml"])
        if let difference = Snapshot.compare(files[0].contents, fixture: "gitlab-kops", name: "gitlab-ci.yml") {
            Issue.record(Comment(rawValue: difference))
        }
    }

    /// `workflow:rules:auto_cancel` overrides `workflow:auto_cancel` for the pipelines a rule
    /// matches (gitlab-org/gitlab!141090, on by default since 16.9): merge-request pipelines cancel
    /// their older interruptible jobs, default-branch pipelines never do.
    @Test func onlyMergeRequestPipelinesAreCancelledByANewerCommit() throws {
        let text = try GitLabGenerator().generate(try example("kops"))[0].contents
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let workflow = try #require(document["workflow"] as? [String: Any])
        #expect((workflow["auto_cancel"] as? [String: Any])?["on_new_commit"] as? String == "interruptible")
        let rules = try #require(workflow["rules"] as? [[String: Any]])
        let push = try #require(rules.first { ($0["if"] as? String)?.contains("\"push\"") == true })
        #expect((push["auto_cancel"] as? [String: Any])?["on_new_commit"] as? String == "none")
        let mergeRequest = try #require(
            rules.first { ($0["if"] as? String)?.contains("merge_request_event") == true })
        #expect(mergeRequest["auto_cancel"] == nil)
    }

    /// Web and scheduled pipelines run on any branch, and forks run pipelines: GitLab's own rule
    /// evaluation keeps mutating jobs out unless the pipeline is the canonical project's default
    /// branch.
    @Test func mutatingJobsRunOnlyOnTheDefaultBranchOfTheCanonicalProject() async throws {
        let spec = """
            version: 1
            repository: acme/infra/platform
            environments: [prod]
            jobs:
              plan: { on: [manual], run: terraform plan }
              apply: { on: [manual], needs: [plan], mutates: true, environment: prod, run: terraform apply }
            """
        let pipeline = try #require(SpecValidator.pipeline(text: spec).pipeline)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("gitlab-ci.yml", try GitLabGenerator().generate(pipeline)[0].contents)
        func jobs(branch: String, project: String) async throws -> [String] {
            let request =
                #"{"source": "web", "changed": [], "everything": false, "branch": "\#(branch)", "project": "\#(project)"}"#
            let result = try await run(
                "ruby", ["\(repositoryRoot)/scripts/gitlab_rules_oracle.rb", "gitlab-ci.yml"], in: directory.path,
                input: request)
            try #require(result.status == 0, "\(result.standardError)")
            return try JSONDecoder().decode([String].self, from: Data(result.standardOutput.utf8))
        }
        #expect(try await jobs(branch: "main", project: "acme/infra/platform") == ["plan", "apply"])
        #expect(try await jobs(branch: "feature", project: "acme/infra/platform") == ["plan"])
        #expect(try await jobs(branch: "main", project: "someone/platform") == ["plan"])
    }

    @Test func negatedPatternsAreRefusedNamingTheJobAndThePattern() throws {
        let pipeline = try example("kkp")
        do {
            _ = try GitLabGenerator().generate(pipeline)
            Issue.record("the KKP example has negated patterns; GitLab generation must refuse it")
        } catch {
            let kinds = error.diagnostics.map(\.kind)
            #expect(
                kinds.contains(
                    .negatedPatternNotExpressible(
                        platform: .gitlab, job: "kkp-install", pattern: "!kubermatic/README.md", through: nil)))
            #expect(
                kinds.contains(
                    .negatedPatternNotExpressible(
                        platform: .gitlab, job: "dns", pattern: "!kubermatic/README.md", through: "kkp-install")))
            #expect(
                kinds.contains(
                    .negatedPatternNotExpressible(
                        platform: .gitlab, job: "manifests-lint", pattern: "!**/*.md", through: nil)))
            #expect(error.diagnostics.allSatisfy { $0.location != nil && !$0.notes.isEmpty })
        }
    }

    @Test func refusalsPointAtThePatternAndTheKeyword() throws {
        let marked = MarkedText(
            """
            version: 1
            jobs:
              ⟨keyword⟩stages:
                paths: ["**"]
                run: "true"
              docs:
                paths: ["docs/**", ⟨negated⟩"!docs/drafts/**"]
                run: "true"
            """)
        let pipeline = try #require(SpecValidator.pipeline(text: marked.text, file: marked.file).pipeline)
        do {
            _ = try GitLabGenerator().generate(pipeline)
            Issue.record("a job named 'stages' and a negated pattern must be refused")
        } catch {
            #expect(
                error.diagnostics == [
                    Diagnostic(
                        .jobNameIsPlatformKeyword(platform: .gitlab, job: "stages", name: "stages"),
                        at: marked.location("keyword")),
                    Diagnostic(
                        .negatedPatternNotExpressible(
                            platform: .gitlab, job: "docs", pattern: "!docs/drafts/**", through: nil),
                        at: marked.location("negated")),
                ])
        }
    }

    @Test func structure() throws {
        let text = try GitLabGenerator().generate(try example("kops"))[0].contents
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let update = try #require(document["update-prod"] as? [String: Any])
        #expect(update["resource_group"] as? String == "slipway-prod")
        #expect(update["interruptible"] as? Bool == false)
        #expect((update["environment"] as? [String: Any])?["name"] as? String == "prod")
        let rules = try #require(update["rules"] as? [[String: Any]])
        #expect(rules.count == 1)
        #expect(rules[0]["when"] as? String == "manual")
        #expect(rules[0]["allow_failure"] as? Bool == false)
        let needs = try #require(update["needs"] as? [[String: Any]])
        // Its need and its promotion predecessor, then the producer it receives files from through
        // replace@prod, which GitLab hands artifacts to only when listed here.
        #expect(needs.map { $0["job"] as? String } == ["replace-prod", "update-staging", "template-prod"])
        #expect(needs.map { $0["artifacts"] as? Bool } == [false, false, true])
        #expect(needs.allSatisfy { $0["optional"] as? Bool == true })
        let template = try #require(document["template-dev"] as? [String: Any])
        let templateRules = try #require(template["rules"] as? [[String: Any]])
        let mergeRequest = try #require(templateRules.first?["changes"] as? [String: Any])
        #expect(mergeRequest["compare_to"] as? String == "refs/heads/main")
        // A job that does not list a secret unsets it.
        let wrapper = try #require((template["variables"] as? [String: Any])?["SLIPWAY_WRAPPER"] as? [String: Any])
        #expect((wrapper["value"] as? String)?.contains("unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY") == true)
        #expect(wrapper["expand"] as? Bool == false)
    }

    /// GitLab's own rule evaluation (modelled in Ruby with `File.fnmatch?` and GitLab's flags) puts
    /// exactly the planner's jobs into each pipeline.
    @Test func rulesSelectWhatThePlannerSelects() async throws {
        var generator = SeededGenerator(seed: 0x6174_4C61)
        for _ in 0..<20 {
            let spec = randomSpec(using: &generator, negations: false)
            let pipeline = try #require(SpecValidator.pipeline(text: spec).pipeline)
            let file = try GitLabGenerator().generate(pipeline)[0]
            let history = try await RandomHistory.make(using: &generator)
            let repository = history.repository
            defer { repository.remove() }
            try repository.directory.write(".slipway-test/gitlab-ci.yml", file.contents)
            let (base, head, moved, resolver) = (history.base, history.head, history.moved, history.resolver)
            let zeros = String(repeating: "0", count: 40)
            let cases: [(source: String, event: Event, changes: ChangeSet)] = [
                ("merge_request_event", .pullRequest, try await resolver.pullRequest(base: moved, head: head)),
                ("push", .push, try await resolver.push(before: base, after: head)),
                ("push", .push, try await resolver.push(before: zeros, after: head)),
                ("web", .manual, ChangeSet(paths: [])),
            ]
            for (source, event, changes) in cases {
                var request: [String: Any] = [
                    "source": source, "changed": changes.paths, "everything": changes.everythingBecause != nil,
                ]
                // Merge-request pipelines have no CI_COMMIT_BRANCH; the others run on main.
                if source != "merge_request_event" { request["branch"] = "main" }
                let input = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
                let result = try await run(
                    "ruby", ["\(repositoryRoot)/scripts/gitlab_rules_oracle.rb", ".slipway-test/gitlab-ci.yml"],
                    in: repository.path,
                    input: input)
                try #require(result.status == 0, "\(result.standardError)")
                let present = Set(try JSONDecoder().decode([String].self, from: Data(result.standardOutput.utf8)))
                let planned = Set(
                    Planner().plan(pipeline, event: event, changes: changes).selectedIDs.map(JobInstance.slug(for:)))
                #expect(
                    present == planned,
                    "\(source) everything=\(changes.everythingBecause != nil) changed=\(changes.paths)\n\(spec)")
            }
        }
    }
}
