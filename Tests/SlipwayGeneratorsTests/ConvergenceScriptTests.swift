import Foundation
import SlipwayCore
import SlipwayGenerators
import SlipwayRunner
import SlipwayTesting
import Testing
import Yams

/// A repository pushed to a bare `origin`, as CI sees it, with the marks of generated CI kept as
/// refs there by the real `slipway_mark`, and the generated detection run for real.
struct MarkedRepository {
    let repository: TemporaryGitRepository
    let origin: TemporaryDirectory
    let tools: TemporaryDirectory

    static func make(files: [String]) async throws -> MarkedRepository {
        let repository = try await TemporaryGitRepository.create()
        let origin = try TemporaryDirectory(prefix: "slipway-origin")
        let tools = try TemporaryDirectory(prefix: "slipway-clock")
        // `date +%s` answers $FAKE_NOW, so tests choose the time of each success.
        try tools.writeExecutable("bin/date", "#!/bin/sh\necho \"$FAKE_NOW\"\n")
        _ = try await run("git", ["init", "--quiet", "--bare", origin.path], in: origin.path)
        for path in files { try repository.write(path) }
        try await repository.commit("base")
        try await repository.git("remote", "add", "origin", origin.path)
        try await repository.git("push", "--quiet", "origin", "main")
        return MarkedRepository(repository: repository, origin: origin, tools: tools)
    }

    /// A marked repository holding `files` on top of its base commit, committed as one commit
    /// with `message` and pushed; returns it and that commit.
    static func pushing(_ files: [GeneratedFile], message: String) async throws -> (MarkedRepository, String) {
        let remote = try await make(files: ["LICENSE"])
        for file in files { try remote.repository.write(file.path, file.contents) }
        let head = try await remote.repository.commit(message)
        try await remote.repository.git("push", "--quiet", "origin", "main")
        return (remote, head)
    }

    func remove() {
        repository.remove()
        origin.remove()
        tools.remove()
    }

    /// What a CI runner's environment holds here: no git identity anywhere but the repository's
    /// own config, and a `date` that answers `now`.
    func ciEnvironment(now: Int = 0) -> [String: String] {
        [
            "PATH": "\(tools.path)/bin:/usr/bin:/bin", "FAKE_NOW": String(now),
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
        ]
    }

    /// Runs `slipway_mark` for `instance` at `HEAD` as a succeeding CI job would, at time `now`,
    /// keeping the mark under `remotePrefix` on the origin.
    @discardableResult
    func mark(
        _ instance: JobInstance, fingerprint: String? = nil, now: Int, remotePrefix: String = MarkRefs.prefix
    ) async throws -> CommandResult {
        var call = MarkScript.call(instance, branch: "main")
        if let fingerprint {
            call = call.replacingOccurrences(of: "'\(instance.fingerprint)'", with: "'\(fingerprint)'")
        }
        let result = try await run(
            "bash",
            [
                "--noprofile", "--norc", "-euo", "pipefail", "-c",
                MarkScript.definition(remotePrefix: remotePrefix) + call,
            ],
            in: repository.path, environment: ciEnvironment(now: now))
        try #require(result.status == 0, "slipway_mark failed: \(result.standardError)")
        return result
    }

    /// What the random steps keep between steps: the commits pushed, and the clock of successes.
    struct Life {
        var commits: [String] = []
        var now = 1_000
    }

    /// One random step in the life of the repository and its marks, pushed to the origin: a
    /// commit, a force push that replaces the last commit, a merge, a mode change or a revert, or
    /// some jobs succeeding at the head (a few with an older definition), with their marks kept
    /// under `remotePrefix` on the origin.
    func randomStep(
        _ step: Int, of pipeline: Pipeline, _ life: inout Life, remotePrefix: String = MarkRefs.prefix,
        using generator: inout SeededGenerator
    ) async throws {
        switch Int.random(in: 0..<9, using: &generator) {
        case 0, 1:
            for path in randomPaths(using: &generator) { try repository.write(path, "step \(step) \(path)\n") }
            life.commits.append(try await repository.commit("step \(step)"))
            try await repository.git("push", "--quiet", "origin", "main")
        case 2 where life.commits.count > 1:
            // A force push drops the last commit for another.
            try await repository.git("reset", "--quiet", "--hard", life.commits[life.commits.count - 2])
            for path in randomPaths(using: &generator) { try repository.write(path, "forced \(step)\n") }
            life.commits[life.commits.count - 1] = try await repository.commit("forced \(step)")
            try await repository.git("push", "--quiet", "--force", "origin", "main")
        case 3:
            // A merge: the branch's changes reach main through a merge commit.
            try await repository.git("checkout", "--quiet", "-b", "side-\(step)")
            for path in randomPaths(using: &generator) { try repository.write(path, "side \(step)\n") }
            try await repository.commit("side \(step)")
            try await repository.git("checkout", "--quiet", "main")
            for path in randomPaths(using: &generator) { try repository.write(path, "main \(step)\n") }
            try await repository.commit("main \(step)")
            try await repository.git(
                "merge", "--quiet", "--no-ff", "--strategy-option=theirs", "-m", "merge \(step)", "side-\(step)"
            )
            life.commits.append(try await repository.git("rev-parse", "HEAD"))
            try await repository.git("push", "--quiet", "origin", "main")
        case 4:
            // A mode change only, or a revert of the last commit (the tree goes back).
            let files = try await repository.git("ls-files").split(separator: "\n").map(String.init)
            if Bool.random(using: &generator), let file = files.randomElement(using: &generator) {
                _ = try await run("chmod", ["+x", "--", file], in: repository.path)
                life.commits.append(try await repository.commit("mode \(step)"))
            } else {
                let parents = try await repository.git("rev-list", "--parents", "-n", "1", "HEAD")
                let merge = parents.split(separator: " ").count > 2
                try await repository.git("revert", "--no-edit", merge ? "-m1" : "--no-edit", "HEAD")
                life.commits.append(try await repository.git("rev-parse", "HEAD"))
            }
            try await repository.git("push", "--quiet", "origin", "main")
        default:
            // Some jobs succeed at the head, a few with an older definition.
            for instance in pipeline.instances where Bool.random(using: &generator) {
                life.now += Int.random(in: 0...2, using: &generator)
                let stale = Int.random(in: 0..<5, using: &generator) == 0 ? "older-definition" : nil
                try await mark(instance, fingerprint: stale, now: life.now, remotePrefix: remotePrefix)
            }
        }
    }

    /// What the generated detection selects for `event`, by slug.
    func detect(_ pipeline: Pipeline, _ event: Event, all: Bool = false) async throws -> [String: Bool] {
        let script = ChangeDetectionScript(pipeline: pipeline, converges: true).text
        let directory = try TemporaryDirectory(prefix: "slipway-detect")
        defer { directory.remove() }
        try directory.write("detect.sh", script)
        let result = try await run(
            "bash", ["\(directory.path)/detect.sh"], in: repository.path,
            environment: [
                "SLIPWAY_EVENT": event.rawValue, "SLIPWAY_OUTPUT": "\(directory.path)/output",
                "SLIPWAY_ALL": all ? "true" : "false",
            ])
        try #require(result.status == 0, "detection failed: \(result.standardError)")
        var answers: [String: Bool] = [:]
        for line in try String(contentsOfFile: "\(directory.path)/output", encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            answers[String(parts[0])] = parts[1] == "true"
        }
        return answers
    }

    /// What `Planner.converge` selects for `event`, from the marks Swift reads off the refs, with
    /// where environment gates ask.
    func expected(_ pipeline: Pipeline, _ event: Event) async throws -> [String: Bool] {
        let resolver = ChangeSetResolver(runner: ProcessRunner(), directory: repository.path)
        let marks = Convergence.marks(bySlug: try await resolver.markRefs(), in: pipeline)
        let state = try #require(try await resolver.convergence(marks: marks))
        let plan = Planner().converge(pipeline, event: event, state)
        return detectionAnswers(pipeline, selected: Set(plan.selectedIDs))
    }
}

/// Convergence in generated CI: `slipway_mark` keeps marks as refs and the detection script
/// selects exactly what `Planner.converge` selects from them.
@Suite struct ConvergenceScriptTests {
    @Test func randomHistoriesMarksAndForcePushesAgreeWithThePlanner() async throws {
        var generator = SeededGenerator(seed: 0xC0_4E26E)
        var mixed = 0
        for _ in 0..<12 {
            let spec = randomSpec(using: &generator)
            let pipeline = try #require(SpecValidator.pipeline(text: spec).pipeline, "\(spec)")
            let remote = try await MarkedRepository.make(files: randomPaths(using: &generator))
            defer { remote.remove() }
            var life = MarkedRepository.Life()
            for step in 0..<8 {
                try await remote.randomStep(step, of: pipeline, &life, using: &generator)
                for event in ChangeDetectionScript.convergingEvents {
                    let answers = try await remote.detect(pipeline, event)
                    let expected = try await remote.expected(pipeline, event)
                    #expect(answers == expected, "\(event) after step \(step), spec:\n\(spec)")
                    if answers.values.contains(true) && answers.values.contains(false) { mixed += 1 }
                }
                // A manual run with `all` selects what `slipway plan --event manual --all` does.
                let everything = Set(
                    Planner().plan(pipeline, event: .manual, changes: ChangeSet(paths: [])).selectedIDs)
                #expect(
                    try await remote.detect(pipeline, .manual, all: true)
                        == Dictionary(
                            uniqueKeysWithValues: pipeline.instances.map { ($0.slug, everything.contains($0.id)) }),
                    "manual --all, spec:\n\(spec)")
            }
        }
        // Most answers select some instances and skip others: the test is not vacuous.
        #expect(mixed > 80, "only \(mixed) of 192 answers were mixed")
    }

    /// One job, docs, in a repository with docs/index.md pushed to its origin.
    static func docsOnly() async throws -> (Pipeline, JobInstance, MarkedRepository) {
        let pipeline = try #require(
            SpecValidator.pipeline(text: "version: 1\njobs:\n  docs: { paths: [\"docs/**\"], run: make docs }\n")
                .pipeline)
        return (
            pipeline, try #require(pipeline.instance("docs")), try await MarkedRepository.make(files: ["docs/index.md"])
        )
    }

    @Test func aMarkNeverMovesBackAndFollowsAForcePush() async throws {
        let (pipeline, docs, remote) = try await Self.docsOnly()
        defer { remote.remove() }
        let repository = remote.repository
        let older = try await repository.git("rev-parse", "HEAD")
        try repository.write("docs/index.md", "newer\n")
        let newer = try await repository.commit("newer")
        try await repository.git("push", "--quiet", "origin", "main")
        let resolver = ChangeSetResolver(runner: ProcessRunner(), directory: repository.path)

        let first = try await remote.mark(docs, now: 2_000)
        let marks = try await resolver.markRefs()
        #expect(marks["docs"]?.commit == newer, "\(first.standardOutput)\(first.standardError)\(marks)")
        // A late job of the older commit keeps the newer mark.
        try await repository.git("checkout", "--quiet", older)
        let late = try await remote.mark(docs, now: 2_001)
        #expect(late.standardOutput.contains("docs: kept its mark at \(newer.prefix(7)), which is newer than"))
        #expect(try await resolver.markRefs()["docs"]?.commit == newer)
        #expect(try await resolver.markRefs()["docs"]?.succeededAt == Date(timeIntervalSince1970: 2_000))

        // After a force push drops the marked commit, the mark follows the branch as it is now,
        // and the dropped commit stays reachable through the mark.
        try await repository.git("checkout", "--quiet", "-B", "main", older)
        try repository.write("docs/other.md", "rewritten\n")
        let rewritten = try await repository.commit("rewritten")
        try await repository.git("push", "--quiet", "--force", "origin", "main")
        #expect(try await remote.detect(pipeline, .push) == ["docs": true])
        try await remote.mark(docs, now: 2_002)
        #expect(try await resolver.markRefs()["docs"]?.commit == rewritten)
        #expect(try await remote.detect(pipeline, .push) == ["docs": false])
    }

    /// The detection reads the first-parent history once and checks what it saw change against
    /// the marked commit, so a change undone since the mark does not count, a mode change does,
    /// and a merge's changes count through the merge.
    @Test func changesUndoneModeChangesAndMergesAreJudgedByTheTree() async throws {
        let (pipeline, docs, remote) = try await Self.docsOnly()
        defer { remote.remove() }
        let repository = remote.repository
        try repository.write("README.md", "readme\n")
        try await repository.commit("readme")
        try await repository.git("push", "--quiet", "origin", "main")
        try await remote.mark(docs, now: 1)
        func check(_ expected: Bool, _ comment: Comment) async throws {
            try await repository.git("push", "--quiet", "--force", "origin", "main")
            #expect(try await remote.detect(pipeline, .push) == ["docs": expected], comment)
            #expect(try await remote.expected(pipeline, .push) == ["docs": expected], comment)
        }
        try repository.write("docs/index.md", "changed\n")
        try await repository.commit("change")
        try repository.write("docs/index.md", "x\n")
        try await repository.commit("change back")
        try repository.write("README.md", "more\n")
        try await repository.commit("elsewhere")
        try await check(false, "a change undone since the mark")

        _ = try await run("chmod", ["+x", "docs/index.md"], in: repository.path)
        try await repository.commit("executable")
        try await check(true, "a mode change")
        try await remote.mark(docs, now: 2)

        try await repository.git("checkout", "--quiet", "-b", "side")
        try repository.write("docs/side.md", "side\n")
        try await repository.commit("side")
        try await repository.git("checkout", "--quiet", "main")
        try repository.write("README.md", "main\n")
        try await repository.commit("main")
        try await repository.git("merge", "--quiet", "--no-ff", "-m", "merge", "side")
        try await check(true, "a change that came in through a merge")
    }

    @Test func racingJobsLeaveTheNewestMark() async throws {
        let (_, docs, remote) = try await Self.docsOnly()
        defer { remote.remove() }
        let older = try await remote.repository.git("rev-parse", "HEAD")
        try remote.repository.write("docs/index.md", "newer\n")
        let newer = try await remote.repository.commit("newer")
        try await remote.repository.git("push", "--quiet", "origin", "main")
        // A second clone at the older commit, as a second runner would have.
        let other = try TemporaryDirectory(prefix: "slipway-clone")
        defer { other.remove() }
        _ = try await run("git", ["clone", "--quiet", remote.origin.path, other.path], in: other.path)
        _ = try await run("git", ["checkout", "--quiet", older], in: other.path)
        let otherRemote = MarkedRepository(
            repository: TemporaryGitRepository(directory: other), origin: remote.origin, tools: remote.tools)
        for round in 0..<4 {
            async let first = remote.mark(docs, now: 3_000 + round)
            async let second = otherRemote.mark(docs, now: 3_000 + round)
            _ = try await (first, second)
            let resolver = ChangeSetResolver(runner: ProcessRunner(), directory: remote.repository.path)
            _ = try await remote.repository.git("fetch", "--quiet", "origin", MarkRefs.refspec)
            #expect(try await resolver.markRefs()["docs"]?.commit == newer, "round \(round)")
        }
    }
}

/// The generated GitHub workflow's own steps converge: its detection step reads the marks its
/// slipway-marks job writes.
@Suite struct GitHubConvergenceTests {
    static let spec = SpecFixtures.terraformThenKubeOne(
        extra: """
              docs:
                paths: ["docs/**"]
                run: make docs
            """,
        script: { "echo \($0)" })

    /// The `run` of the step named `name` in job `job` of the generated workflow, and its `env`.
    func step(_ job: String, _ name: String, in pipeline: Pipeline) throws -> (run: String, env: [String: String]) {
        let text = try Generators.generate(.github, pipeline)[0].contents
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let jobs = try #require(document["jobs"] as? [String: Any])
        let steps = try #require((jobs[job] as? [String: Any])?["steps"] as? [[String: Any]])
        let step = try #require(steps.first { $0["name"] as? String == name })
        // As GitHub gives them to the step: the workflow's variables, then the step's own.
        let workflow = (document["env"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
        let env = workflow.merging((step["env"] as? [String: Any] ?? [:]).mapValues { "\($0)" }) { $1 }
        return (try #require(step["run"] as? String), env)
    }

    func detect(_ pipeline: Pipeline, in remote: MarkedRepository) async throws -> [String] {
        let (script, env) = try step("slipway-changes", "Decide which jobs run", in: pipeline)
        let output = "\(remote.tools.path)/github-output"
        try? FileManager.default.removeItem(atPath: output)
        // The step's own values (a long script comes in parts), then what GitHub would set.
        var environment: [String: String?] = env.filter { !$0.value.contains("${{") }.mapValues { $0 }
        environment["SLIPWAY_EVENT"] = "push"
        environment["GITHUB_OUTPUT"] = output
        environment["SLIPWAY_TOKEN"] = "token"
        environment["GITHUB_SERVER_URL"] = "https://github.com"
        let result = try await run(
            "bash", ["--noprofile", "--norc", "-euo", "pipefail", "-c", script], in: remote.repository.path,
            environment: environment)
        try #require(result.status == 0, "\(result.standardError)")
        return try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasSuffix("=true") }.map { String($0.dropLast("=true".count)) }
    }

    /// Runs the generated slipway-marks step as GitHub would after jobs `succeeded` (each at
    /// `now`, as its own last step recorded), in a clone without a git identity; returns it.
    @discardableResult
    func recordMarks(
        _ pipeline: Pipeline, succeeded: Set<String>, in remote: MarkedRepository, now: Int, expecting status: Int32 = 0
    ) async throws -> CommandResult {
        let (script, env) = try step("slipway-marks", "Record which jobs are up to date", in: pipeline)
        let clone = try TemporaryDirectory(prefix: "slipway-marks-job")
        defer { clone.remove() }
        let head = try await remote.repository.git("rev-parse", "HEAD")
        _ = try await run("git", ["clone", "--quiet", remote.origin.path, clone.path], in: clone.path)
        _ = try await run("git", ["checkout", "--quiet", head], in: clone.path)
        var environment: [String: String?] = [
            "SLIPWAY_TOKEN": "token", "GITHUB_SERVER_URL": "https://github.com", "PATH": "/usr/bin:/bin",
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
        ]
        // What GitHub's toJSON(needs) gives: each job the marks job needs, with its result and outputs.
        let needs = try #require(env["SLIPWAY_NEEDS"])
        #expect(needs == "${{ toJSON(needs) }}")
        var context: [String: Any] = [:]
        for instance in pipeline.instances {
            context[instance.slug] = [
                "result": succeeded.contains(instance.slug) ? "success" : "skipped",
                "outputs": succeeded.contains(instance.slug) ? ["succeeded_at": String(now)] : [:],
            ]
        }
        let json = try JSONSerialization.data(withJSONObject: context, options: [.sortedKeys])
        environment["SLIPWAY_NEEDS"] = String(decoding: json, as: UTF8.self)
        let result = try await run(
            "bash", ["--noprofile", "--norc", "-euo", "pipefail", "-c", script], in: clone.path,
            environment: environment)
        try #require(result.status == status, "\(result.standardOutput)\(result.standardError)")
        return result
    }

    @Test func aFailedDeployIsRunAgainByTheNextPush() async throws {
        let pipeline = try #require(SpecValidator.pipeline(text: Self.spec).pipeline)
        let remote = try await MarkedRepository.make(files: ["terraform/main.tf", "kubeone/kubeone.yaml", "docs/a.md"])
        defer { remote.remove() }
        #expect(try await detect(pipeline, in: remote) == ["tf-plan", "tf-apply", "kubeone-apply", "docs"])
        // Everything but kubeone-apply succeeded.
        try await recordMarks(pipeline, succeeded: ["tf-plan", "tf-apply", "docs"], in: remote, now: 5_000)
        #expect(try await detect(pipeline, in: remote) == ["kubeone-apply"])

        // A push touching only the docs still deploys KubeOne; then everything is up to date.
        try remote.repository.write("docs/a.md", "more\n")
        try await remote.repository.commit("docs")
        try await remote.repository.git("push", "--quiet", "origin", "main")
        #expect(try await detect(pipeline, in: remote) == ["kubeone-apply", "docs"])
        try await recordMarks(pipeline, succeeded: ["kubeone-apply", "docs"], in: remote, now: 5_001)
        #expect(try await detect(pipeline, in: remote) == [])

        // Terraform applied again later (kubeone-apply failed): kubeone-apply is out of date.
        try remote.repository.write("terraform/main.tf", "bigger\n")
        try await remote.repository.commit("terraform")
        try await remote.repository.git("push", "--quiet", "origin", "main")
        #expect(try await detect(pipeline, in: remote) == ["tf-plan", "tf-apply", "kubeone-apply"])
        try await recordMarks(pipeline, succeeded: ["tf-plan", "tf-apply"], in: remote, now: 5_002)
        #expect(try await detect(pipeline, in: remote) == ["kubeone-apply"])
    }

    /// GitHub refuses a workflow with any string over 21,000 characters; the detection step of a
    /// large pipeline comes in parts, and still decides as before.
    @Test func aLongDetectionScriptComesInPartsAndStillDecides() async throws {
        var text = "version: 1\njobs:\n"
        for index in 0..<90 {
            let needs = index > 0 && index % 3 == 0 ? ", needs: [job\(index - 1)]" : ""
            text += "  job\(index): { paths: [\"services/\(index)/**\"], run: make\(needs) }\n"
        }
        let pipeline = try #require(SpecValidator.pipeline(text: text).pipeline)
        let workflow = try Generators.generate(.github, pipeline)[0].contents
        var longest = 0
        func visit(_ node: Any) {
            if let text = node as? String { longest = max(longest, text.count) }
            if let map = node as? [String: Any] { map.values.forEach(visit) }
            if let list = node as? [Any] { list.forEach(visit) }
        }
        visit(try #require(try Yams.load(yaml: workflow)))
        #expect(longest <= 21_000)
        let (script, env) = try step("slipway-changes", "Decide which jobs run", in: pipeline)
        #expect(script.contains("eval \"$SLIPWAY_SCRIPT_PART_1$SLIPWAY_SCRIPT_PART_2"))
        #expect(env.keys.filter { $0.hasPrefix("SLIPWAY_SCRIPT_PART_") }.count >= 2)

        let remote = try await MarkedRepository.make(files: ["services/4/main.tf", "docs/a.md"])
        defer { remote.remove() }
        #expect(try await detect(pipeline, in: remote).count == 90)
        try await recordMarks(pipeline, succeeded: Set(pipeline.instances.map(\.slug)), in: remote, now: 7_000)
        try remote.repository.write("services/4/main.tf", "changed\n")
        try await remote.repository.commit("service 4")
        try await remote.repository.git("push", "--quiet", "origin", "main")
        #expect(try await detect(pipeline, in: remote) == ["job4"])
    }

    @Test func oneMarkThatCannotBeWrittenDoesNotStopTheOthers() async throws {
        let pipeline = try #require(SpecValidator.pipeline(text: Self.spec).pipeline)
        let remote = try await MarkedRepository.make(files: ["terraform/main.tf", "kubeone/kubeone.yaml", "docs/a.md"])
        defer { remote.remove() }
        // The server refuses the mark of tf-plan, as a ruleset might.
        try remote.origin.writeExecutable(
            "hooks/pre-receive",
            "#!/bin/sh\nwhile read -r old new ref; do\n  [ \"$ref\" = refs/slipway/marks/tf-plan ] && { echo refused >&2; exit 1; }\ndone\nexit 0\n"
        )
        let result = try await recordMarks(
            pipeline, succeeded: ["tf-plan", "tf-apply", "kubeone-apply", "docs"], in: remote, now: 6_000,
            expecting: 1)
        #expect(result.standardError.contains("error: could not record that tf-plan succeeded"))
        #expect(try await detect(pipeline, in: remote) == ["tf-plan"])
    }

    @Test func anOlderRunsDeployStopsOnceTheBranchHasMovedOn() async throws {
        let pipeline = try #require(SpecValidator.pipeline(text: Self.spec).pipeline)
        let remote = try await MarkedRepository.make(files: ["terraform/main.tf"])
        defer { remote.remove() }
        let older = try await remote.repository.git("rev-parse", "HEAD")
        let (script, env) = try step("tf-apply", "Stop if main has moved on", in: pipeline)
        let outdatedCheck = try #require(env["SLIPWAY_OUTDATED_CHECK"])
        func check(_ sha: String) async throws -> CommandResult {
            try await run(
                "bash", ["--noprofile", "--norc", "-euo", "pipefail", "-c", script], in: remote.repository.path,
                environment: [
                    "SLIPWAY_OUTDATED_CHECK": outdatedCheck,
                    "GITHUB_SHA": sha, "SLIPWAY_TOKEN": "token",
                    // GitHub's URL of the repository, here the bare origin's path.
                    "GITHUB_SERVER_URL": (remote.origin.path as NSString).deletingLastPathComponent,
                    "GITHUB_REPOSITORY": (remote.origin.path as NSString).lastPathComponent,
                ])
        }
        #expect(try await check(older).status == 0)
        try remote.repository.write("terraform/main.tf", "newer\n")
        let newer = try await remote.repository.commit("newer")
        try await remote.repository.git("push", "--quiet", "origin", "main")
        let stopped = try await check(older)
        #expect(stopped.status == 1)
        #expect(
            stopped.standardOutput.contains(
                "::error::main has moved on to \(newer.prefix(7)) since this run of \(older.prefix(7)); the newer commit's run deploys instead"
            ))
        // The job's token never reaches the log, in any form.
        #expect(stopped.standardOutput.contains("::add-mask::"))
        #expect(try await check(newer).status == 0)
    }
}
