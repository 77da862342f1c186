import Foundation
import SlipwayCore
import SlipwayGenerators
import SlipwayRunner
import SlipwayTesting
import Testing
import Yams

/// Runs a program from `PATH` the way a CI runner would, for tests of generated scripts.
func run(
    _ program: String, _ arguments: [String], in directory: String, environment: [String: String?] = [:],
    input: String? = nil
) async throws -> CommandResult {
    try await SlipwayBinary(path: "/usr/bin/env").run(
        [program] + arguments, in: directory, environment: environment, input: input)
}

/// A random pipeline with per-environment jobs, jobs without paths, negations and mutating chains;
/// with `gated`, prod's changes wait for an approval.
func randomSpec(using generator: inout SeededGenerator, negations: Bool = true, gated: Bool = false) -> String {
    let directories = ["a", "b", "c", "dev", "prod", "d i r", "été"]
    var text = """
        version: 1
        environments: [dev, \(gated ? "{ name: prod, gate: manual }" : "prod")]
        oidc:
          aws: { role: "arn:aws:iam::123456789012:role/ci", region: eu-west-1 }
          gcp: { provider: projects/1/locations/global/workloadIdentityPools/ci/providers/ci, serviceAccount: ci@p.iam.gserviceaccount.com }
        jobs:

        """
    let count = Int.random(in: 2...10, using: &generator)
    for index in 0..<count {
        let mutating = Bool.random(using: &generator)
        let perEnvironment = Int.random(in: 0..<4, using: &generator) == 0
        let needs = (0..<index).filter { _ in Int.random(in: 0..<3, using: &generator) == 0 }.map { "j\($0)" }
        text += "  j\(index):\n    run: echo j\(index)\n"
        var ownPaths = true
        switch Int.random(in: 0..<7, using: &generator) {
        case 0: ownPaths = false
        case 1 where perEnvironment: text += "    paths: [\"{environment}/**\"]\n"
        case 2 where negations:
            text += "    paths: [\"**/*.md\", \"!\(directories.randomElement(using: &generator)!)/**\"]\n"
        case 3 where negations:
            text += "    paths: [\"\(directories.randomElement(using: &generator)!)/\", \"!**/x.md\", \"**/keep.md\"]\n"
        case 2, 3: text += "    paths: [\"**/*.md\", \"\(directories.randomElement(using: &generator)!)/\"]\n"
        default: text += "    paths: [\"\(directories.randomElement(using: &generator)!)/**\"]\n"
        }
        if !needs.isEmpty { text += "    needs: [\(needs.joined(separator: ", "))]\n" }
        // A job without paths of its own sometimes runs only with the jobs it needs.
        if !needs.isEmpty, !ownPaths, Int.random(in: 0..<3, using: &generator) == 0 {
            text += "    when: with-needs\n"
        }
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: text += "    oidc: [aws]\n"
        case 1: text += "    oidc: [gcp, aws]\n"
        default: break
        }
        if perEnvironment { text += "    environment: each\n" }
        if mutating {
            text += "    mutates: true\n    on: [push, manual]\n"
            if !perEnvironment { text += "    environment: prod\n" }
        } else if Int.random(in: 0..<5, using: &generator) == 0 {
            text += "    on: [pull_request]\n"
        }
    }
    return text
}

/// Random changed paths over the directories `randomSpec` uses.
func randomPaths(using generator: inout SeededGenerator) -> [String] {
    let directories = ["a", "b", "c", "dev", "prod", "d i r", "été", "docs"]
    let files = ["x.md", "keep.md", "main.tf", "values.yaml", ".env"]
    return (0..<Int.random(in: 1...5, using: &generator)).map { _ in
        var path = directories.randomElement(using: &generator)!
        if Bool.random(using: &generator) { path += "/" + directories.randomElement(using: &generator)! }
        return path + "/" + files.randomElement(using: &generator)!
    }
}

/// The script each step of a generated `bitbucket-pipelines.yml` writes with its here-document
/// (every pipeline, every step), in file order.
func bitbucketStepScripts(_ text: String) throws -> [String] {
    let document = try #require(try Yams.load(yaml: text) as? [String: Any])
    var lists: [[[String: Any]]] = []
    func collect(_ node: Any?) {
        if let list = node as? [[String: Any]] {
            lists.append(list)
        } else if let map = node as? [String: Any] {
            for key in map.keys.sorted() { collect(map[key]) }
        }
    }
    collect(document["pipelines"])
    return try lists.flatMap { list in
        // A custom pipeline's first item may declare its variables instead of a step.
        try list.compactMap { item -> String? in
            guard let step = item["step"] as? [String: Any] else { return nil }
            let embedded = try #require((step["script"] as? [String])?.first)
            var body = embedded.split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
            while let last = body.last, last.isEmpty || last == "SLIPWAY_STEP_EOF" { body = body.dropLast() }
            return body.joined(separator: "\n") + "\n"
        }
    }
}

/// A real repository with random history: a base commit, a feature branch, and `main` moved on
/// after the branch, so a pull request's merge base differs from the base branch's tip.
struct RandomHistory {
    let repository: TemporaryGitRepository
    let base: String
    let head: String
    let moved: String

    static func make(using generator: inout SeededGenerator) async throws -> RandomHistory {
        let repository = try await TemporaryGitRepository.create()
        for path in randomPaths(using: &generator) { try repository.write(path) }
        let base = try await repository.commit("base")
        try await repository.git("checkout", "--quiet", "-b", "feature")
        for path in randomPaths(using: &generator) { try repository.write(path, "changed \(path)\n") }
        let head = try await repository.commit("feature")
        try await repository.git("checkout", "--quiet", "main")
        for path in randomPaths(using: &generator) { try repository.write(path, "moved \(path)\n") }
        let moved = try await repository.commit("base moved on")
        return RandomHistory(repository: repository, base: base, head: head, moved: moved)
    }

    /// Change sets as `slipway plan` computes them, with the real git.
    var resolver: ChangeSetResolver { ChangeSetResolver(runner: ProcessRunner(), directory: repository.path) }
}

/// The GitLab child pipeline's jobs file generated for `pipeline`.
func gitLabJobs(_ pipeline: Pipeline) throws -> String {
    try #require(try GitLabGenerator().generate(pipeline).first { $0.path == GitLabGenerator.jobsPath }).contents
}

/// A plan, then a mutating apply of prod that fails when `FAIL_APPLY` is `yes`, both watching
/// `infra/**`: what each platform's "a failed deploy runs again on the next push" test deploys.
func failingApplyPipeline() throws -> Pipeline {
    let spec = """
        version: 1
        environments: [prod]
        jobs:
          plan: { paths: ["infra/**"], run: "echo planned" }
          apply:
            on: [push]
            needs: [plan]
            mutates: true
            environment: prod
            paths: ["infra/**"]
            run: 'test "${FAIL_APPLY:-}" != yes'
        """
    return try #require(SpecValidator.pipeline(text: spec).pipeline)
}

/// The answers the change detection gives when the planner selects `selected` (instance ids): each
/// instance's, and at each approval point whether its environment's gate asks there, which is
/// before the first selected gated instance of the environment in execution order; with `stages`,
/// at each approval stage (GitHub) instead, whether it is the environment's lowest level with a
/// selected instance.
func detectionAnswers(_ pipeline: Pipeline, selected: Set<String>, stages: Bool = false) -> [String: Bool] {
    var answers = Dictionary(uniqueKeysWithValues: pipeline.instances.map { ($0.slug, selected.contains($0.id)) })
    var asked: Set<String> = []
    for id in pipeline.executionOrder where !stages {
        guard let point = pipeline.approvalPoint(before: id) else { continue }
        answers[point.slug] = selected.contains(id) && asked.insert(point.environment).inserted
    }
    // GitHub's stages: per environment, the lowest level with a selected gated instance asks.
    for stage in pipeline.approvalStages where stages {
        let levels = pipeline.approvalPoints.filter {
            $0.environment == stage.environment && selected.contains($0.instance)
        }
        .map(\.level)
        answers[stage.slug] = levels.min() == stage.level
    }
    return answers
}

/// The instances `slipway run` gets to succeed when it runs `selected` of `pipeline`.
///
/// The real scheduler runs them, with every job in `failing` failing each attempt, and each gate
/// approved or declined as `approves` says: the reference the platforms' models are compared with.
func localOutcome(
    _ pipeline: Pipeline, selected: Set<String>, failing: Set<String> = [], approves: Bool = true
) -> Set<String> {
    var scheduler = Scheduler<ManualClock.Instant>(
        jobs: ScheduledJob.jobs(selected, in: pipeline), parallelism: 1, asksForApproval: true)
    let now = ManualClock.Instant(offset: .zero)
    var pending = scheduler.start(now: now)
    while !pending.isEmpty {
        switch pending.removeFirst() {
        case .start(let job, _):
            pending += scheduler.attemptFinished(
                job, outcome: failing.contains(job) ? .failed(exitCode: 1) : .succeeded, now: now)
        case .awaitApproval(let job):
            pending += approves ? scheduler.approve(job, now: now) : scheduler.decline(job, now: now)
        default:
            break
        }
    }
    return Set(scheduler.states.filter { $0.value == .succeeded }.map(\.key))
}

/// The diagnostics `platform`'s generator refuses `pipeline` with; none, and an issue saying
/// `comment`, when it generates the files instead.
func refusal(
    _ platform: Platform, _ pipeline: Pipeline, _ comment: Comment,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> [Diagnostic] {
    do {
        _ = try Generators.generate(platform, pipeline)
        Issue.record(comment, sourceLocation: sourceLocation)
        return []
    } catch {
        return error.diagnostics
    }
}
