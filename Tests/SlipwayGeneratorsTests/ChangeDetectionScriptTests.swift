import Foundation
import SlipwayCore
import SlipwayGenerators
import SlipwayRunner
import SlipwayTesting
import Testing

/// The generated detection script, run for real with bash and git, selects what `slipway plan` selects.
@Suite struct ChangeDetectionScriptTests {
    /// Runs the script for one event in `repository` and returns its `slug=value` answers: as GitLab
    /// and Bitbucket generate it (an output per approval point), then as GitHub does (one per
    /// approval stage), whose jobs' answers must be the same.
    private func detect(_ pipeline: Pipeline, in repository: TemporaryGitRepository, environment: [String: String])
        async throws
        -> [String: Bool]
    {
        var answers: [String: Bool] = [:]
        // The two differ only in their approval outputs.
        for stages in pipeline.approvalPoints.isEmpty ? [false] : [false, true] {
            let script = ChangeDetectionScript(pipeline: pipeline, stages: stages).text
            try repository.directory.write(".slipway-test/detect.sh", script)
            let output = "\(repository.path)/.slipway-test/output"
            var variables: [String: String?] = ["SLIPWAY_OUTPUT": output]
            for (key, value) in environment { variables[key] = value }
            let result = try await run("bash", [".slipway-test/detect.sh"], in: repository.path, environment: variables)
            try #require(result.status == 0, "detection script failed: \(result.standardError)")
            let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
            try FileManager.default.removeItem(atPath: "\(repository.path)/.slipway-test")
            for line in lines {
                let parts = line.split(separator: "=", maxSplits: 1)
                let key = String(parts[0])
                let value = parts[1] == "true"
                if let earlier = answers[key] { #expect(earlier == value, "\(key) with stages: \(stages)") }
                answers[key] = value
            }
        }
        return answers
    }

    /// What the planner selects, and where an environment's gate asks.
    private func expected(_ pipeline: Pipeline, _ event: Event, _ changes: ChangeSet) -> [String: Bool] {
        let selected = Set(Planner().plan(pipeline, event: event, changes: changes).selectedIDs)
        return detectionAnswers(pipeline, selected: selected).merging(
            detectionAnswers(pipeline, selected: selected, stages: true)
        ) { $1 }
    }

    @Test func randomPipelinesAndChangesAgreeWithThePlanner() async throws {
        var generator = SeededGenerator(seed: 0xD371_EC7)
        for round in 0..<25 {
            // Every other round, prod is gated: its gate asks once, before the first selected prod change.
            let spec = randomSpec(using: &generator, gated: round % 2 == 1)
            let pipeline = try #require(SpecValidator.pipeline(text: spec).pipeline, "\(spec)")
            let history = try await RandomHistory.make(using: &generator)
            let repository = history.repository
            defer { repository.remove() }
            let (base, head, movedBase, resolver) = (history.base, history.head, history.moved, history.resolver)

            let pullRequest = try await resolver.pullRequest(base: movedBase, head: head)
            let prAnswers = try await detect(
                pipeline, in: repository,
                environment: ["SLIPWAY_EVENT": "pull_request", "SLIPWAY_BASE_SHA": movedBase, "SLIPWAY_HEAD_SHA": head])
            #expect(
                prAnswers == expected(pipeline, .pullRequest, pullRequest),
                "pull request, spec:\n\(spec)\nchanged: \(pullRequest.paths)")

            let push = try await resolver.push(before: base, after: head)
            let pushAnswers = try await detect(
                pipeline, in: repository,
                environment: ["SLIPWAY_EVENT": "push", "SLIPWAY_BEFORE": base, "SLIPWAY_AFTER": head])
            #expect(pushAnswers == expected(pipeline, .push, push), "push, spec:\n\(spec)\nchanged: \(push.paths)")

            let zeros = String(repeating: "0", count: 40)
            let firstPush = try await resolver.push(before: zeros, after: head)
            let firstAnswers = try await detect(
                pipeline, in: repository,
                environment: ["SLIPWAY_EVENT": "push", "SLIPWAY_BEFORE": zeros, "SLIPWAY_AFTER": head])
            #expect(firstAnswers == expected(pipeline, .push, firstPush), "first push, spec:\n\(spec)")

            let manual = try await detect(pipeline, in: repository, environment: ["SLIPWAY_EVENT": "manual"])
            #expect(manual == expected(pipeline, .manual, ChangeSet(paths: [])))
        }
    }

    @Test func theMarkFunctionPassesShellcheck() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("mark.sh", MarkScript.function)
        let result = try await run(
            "shellcheck", ["--shell=bash", "--severity=style", "mark.sh"], in: directory.path)
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
    }

    @Test func theScriptPassesShellcheck() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var generator = SeededGenerator(seed: 7)
        for index in 0..<5 {
            let pipeline = try #require(SpecValidator.pipeline(text: randomSpec(using: &generator)).pipeline)
            try directory.write("detect\(index).sh", ChangeDetectionScript(pipeline: pipeline).text)
            try directory.write(
                "converge\(index).sh", ChangeDetectionScript(pipeline: pipeline, converges: true).text)
            for name in ["detect\(index).sh", "converge\(index).sh"] {
                let result = try await run(
                    "shellcheck", ["--shell=bash", "--severity=style", name], in: directory.path)
                #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
            }
        }
    }
}
