import Foundation
import SlipwayTesting
import Testing

/// Terraform, then KubeOne on its cluster, and docs: each job appends its name to `$CALLS`
/// (outside the repository, so the work tree stays clean), and kubeone-apply fails when
/// `$FAIL_KUBEONE` is set.
private let spec = SpecFixtures.terraformThenKubeOne(
    extra: """
          docs:
            paths: ["docs/**"]
            run: echo docs >>"$CALLS"
        """,
    script: { job in
        let fail = job == "kubeone-apply" ? "if [[ -n \"${FAIL_KUBEONE:-}\" ]]; then exit 1; fi; " : ""
        return "'\(fail)echo \(job) >>\"$CALLS\"'"
    })

/// End-to-end convergence with the built binary, real git and real runs: a push runs what is out
/// of date since each job's mark, and a run of the default branch's head moves the marks.
@Suite struct ConvergenceRunTests {
    let repository: TemporaryGitRepository
    let calls: TemporaryDirectory

    init() async throws {
        repository = try await TemporaryGitRepository.create()
        calls = try TemporaryDirectory(prefix: "slipway-calls")
        try repository.write("slipway.yml", spec)
        try repository.write("terraform/main.tf")
        try repository.write("kubeone/kubeone.yaml")
        try repository.write("docs/index.md")
        try await repository.commit("initial")
    }

    /// `slipway plan --event push --format json`: the selected ids and their reasons.
    func plan() async throws -> (ids: [String], reasons: [String: [String]]) {
        let result = try await slipway.run(["plan", "--event", "push", "--format", "json"], in: repository.path)
        #expect(result.status == 0, "\(result.standardError)")
        let plan = try PlanJSON(result)
        return (plan.selected.map(\.id), Dictionary(uniqueKeysWithValues: plan.selected.map { ($0.id, $0.reasons) }))
    }

    /// `slipway run --event push`; returns the result and the jobs that ran, in order.
    @discardableResult
    func run(_ extra: [String] = [], failKubeOne: Bool = false) async throws -> (CommandResult, [String]) {
        let log = "\(calls.path)/calls-\(UUID().uuidString)"
        var environment: [String: String?] = ["CALLS": log]
        if failKubeOne { environment["FAIL_KUBEONE"] = "1" }
        let result = try await slipway.run(
            ["run", "--event", "push"] + extra, in: repository.path, environment: environment)
        let ran = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        return (result, ran)
    }

    /// A new bare repository, added to the repository as its `origin`.
    func addOrigin() async throws -> TemporaryDirectory {
        let origin = try TemporaryDirectory(prefix: "slipway-origin")
        try await repository.git("init", "--quiet", "--bare", "--initial-branch=main", origin.path)
        try await repository.git("remote", "add", "origin", origin.path)
        return origin
    }

    func marks() async throws -> [String: String?] {
        let result = try await slipway.run(["marks", "--format", "json"], in: repository.path)
        #expect(result.status == 0, "\(result.standardError)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]])
        var marks: [String: String?] = [:]
        for instance in document {
            let id = try #require(instance["id"] as? String)
            marks[id] = (instance["mark"] as? [String: Any])?["commit"] as? String
        }
        return marks
    }

    @Test func aFirstRunMarksEverythingAndThenNothingIsOutOfDate() async throws {
        defer {
            repository.remove()
            calls.remove()
        }
        let fresh = try await plan()
        #expect(fresh.ids == ["tf-plan", "tf-apply", "kubeone-apply", "docs"])
        #expect(fresh.reasons["kubeone-apply"]?.first == "out of date: never succeeded")

        let (first, ran) = try await run()
        #expect(first.status == 0, "\(first.standardError)")
        #expect(Set(ran) == ["tf-plan", "tf-apply", "kubeone-apply", "docs"])
        let head = try await repository.git("rev-parse", "HEAD")
        #expect(first.standardOutput.contains("up to date at \(head.prefix(7))"))
        #expect(try await marks() == ["tf-plan": head, "tf-apply": head, "kubeone-apply": head, "docs": head])

        #expect(try await plan().ids == [])
        let text = try await slipway.run(["plan", "--event", "push"], in: repository.path)
        #expect(text.standardOutput.contains("up to date: nothing it depends on changed since its last success at"))
        let (again, nothing) = try await run()
        #expect(again.status == 0)
        #expect(nothing == [])
    }

    @Test func aFailedJobIsRunByTheNextPushWhateverItTouches() async throws {
        defer {
            repository.remove()
            calls.remove()
        }
        try await run()
        try repository.write("terraform/main.tf", "bigger cluster\n")
        let failing = try await repository.commit("terraform change")
        let (failed, ran) = try await run(failKubeOne: true)
        #expect(failed.status == 1)
        #expect(ran == ["tf-plan", "tf-apply"])
        #expect(try await marks()["tf-apply"] == failing)

        try repository.write("docs/index.md", "unrelated\n")
        try await repository.commit("docs only")
        let next = try await plan()
        #expect(next.ids == ["kubeone-apply", "docs"])
        #expect(next.reasons["kubeone-apply"] == ["out of date: tf-apply applied after it last succeeded"])
        let (_, rerun) = try await run()
        #expect(rerun.sorted() == ["docs", "kubeone-apply"])
        #expect(try await plan().ids == [])
    }

    @Test func anEditedDefinitionRunsThatJobAndItsCascadeOnly() async throws {
        defer {
            repository.remove()
            calls.remove()
        }
        try await run()
        try repository.write(
            "slipway.yml", spec.replacingOccurrences(of: "echo tf-apply", with: "echo tf-apply -refresh"))
        try await repository.commit("change the apply command")
        let next = try await plan()
        #expect(next.ids == ["tf-plan", "tf-apply", "kubeone-apply"])
        #expect(next.reasons["tf-apply"]?.first?.hasPrefix("out of date: its definition changed since") == true)
        #expect(next.reasons["kubeone-apply"] == ["needs tf-apply, which runs"])
    }

    @Test func aRevertRunsTheJobAgain() async throws {
        defer {
            repository.remove()
            calls.remove()
        }
        try repository.write("terraform/main.tf", "v2\n")
        try await repository.commit("terraform v2")
        try await run()
        try await repository.git("revert", "--no-edit", "HEAD")
        let next = try await plan()
        #expect(next.ids == ["tf-plan", "tf-apply", "kubeone-apply"])
        #expect(
            next.reasons["tf-apply"]?.first?.hasPrefix("out of date: terraform/main.tf (matches terraform/**) changed")
                == true)
    }

    @Test func onlyARunOfTheDefaultBranchsCleanHeadMovesMarks() async throws {
        defer {
            repository.remove()
            calls.remove()
        }
        try await repository.git("checkout", "--quiet", "-b", "feature")
        try repository.write("docs/index.md", "only on the branch\n")
        try await repository.commit("branch work")
        let (onBranch, ran) = try await run()
        #expect(onBranch.status == 0, "\(onBranch.standardError)")
        #expect(ran.count == 4)
        #expect(try await marks().values.allSatisfy { $0 == nil })

        try await repository.git("checkout", "--quiet", "main")
        try repository.write("docs/index.md", "not committed\n")
        try await run()
        #expect(try await marks().values.allSatisfy { $0 == nil })
    }

    @Test func aForcePushThatDropsTheMarkedCommitConvergesToTheNewHistory() async throws {
        defer {
            repository.remove()
            calls.remove()
        }
        let initial = try await repository.git("rev-parse", "HEAD")
        try repository.write("terraform/main.tf", "deployed, then dropped\n")
        try await repository.commit("terraform change")
        try await run()
        try await repository.git("reset", "--quiet", "--hard", initial)
        try repository.write("docs/index.md", "new history\n")
        let rewritten = try await repository.commit("docs on the rewritten history")
        // The tree differs from the dropped commit in terraform/: Terraform must run again.
        let next = try await plan()
        #expect(next.ids == ["tf-plan", "tf-apply", "kubeone-apply", "docs"])
        let (result, _) = try await run()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try await marks().values.allSatisfy { $0 == rewritten })
    }

    /// Random pushes and runs, some failing: whenever the last run succeeded, every job's mark
    /// agrees with the head for everything it depends on, so the planner finds nothing out of date;
    /// after a failed one, what failed is still out of date.
    @Test func afterASuccessfulRunNothingIsOutOfDate() async throws {
        defer {
            repository.remove()
            calls.remove()
        }
        var generator = SeededGenerator(seed: 0x1A_5EED)
        let areas = ["terraform/main.tf", "kubeone/kubeone.yaml", "docs/index.md", "README.md"]
        for step in 0..<10 {
            for _ in 0..<Int.random(in: 1...2, using: &generator) {
                let area = areas[Int.random(in: 0..<areas.count, using: &generator)]
                try repository.write(area, "step \(step) \(UInt32.random(in: 0...9, using: &generator))\n")
                try await repository.commit("step \(step)")
            }
            let fail = Int.random(in: 0..<4, using: &generator) == 0
            let (result, _) = try await run(failKubeOne: fail)
            let pending = try await plan().ids
            if result.status == 0 {
                #expect(pending.isEmpty, "step \(step): \(pending) still out of date after a successful run")
            } else {
                #expect(fail, "step \(step): \(result.standardError)")
                #expect(pending.contains("kubeone-apply"), "step \(step): \(pending)")
            }
        }
    }

    /// A pull request's plan also lists what the default branch still owes, so a reviewer sees it:
    /// here a KubeOne apply that failed on main, whatever the pull request touches.
    @Test func aPullRequestPlanListsWhatIsPendingOnTheDefaultBranch() async throws {
        defer {
            repository.remove()
            calls.remove()
        }
        // Without marks there is nothing to go on, and nothing is said.
        try await repository.git("checkout", "--quiet", "-b", "early")
        let early = try await slipway.run(
            ["plan", "--event", "pull_request", "--base", "main", "--format", "json"], in: repository.path)
        #expect(early.status == 0, "\(early.standardError)")
        #expect(!early.standardOutput.contains("pendingOnDefaultBranch"))
        try await repository.git("checkout", "--quiet", "main")

        let (failed, _) = try await run(failKubeOne: true)
        #expect(failed.status == 1)
        try await repository.git("checkout", "--quiet", "-b", "feature")
        try repository.write("docs/index.md", "better docs\n")
        try await repository.commit("docs")
        let text = try await slipway.run(["plan", "--event", "pull_request", "--base", "main"], in: repository.path)
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput.contains("Already out of date on the default branch"))
        #expect(text.standardOutput.contains("  kubeone-apply  out of date: never succeeded"), "\(text.standardOutput)")
        let json = try await slipway.run(
            ["plan", "--event", "pull_request", "--base", "main", "--format", "json"], in: repository.path)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let pending = try #require(document["pendingOnDefaultBranch"] as? [[String: Any]])
        #expect(pending.map { $0["id"] as? String } == ["kubeone-apply"])
        // The pull request itself runs what it changes: docs only.
        #expect((document["selected"] as? [[String: Any]])?.map { $0["id"] as? String } == ["docs"])
        let markdown = try await slipway.run(
            ["plan", "--event", "pull_request", "--base", "main", "--format", "markdown"], in: repository.path)
        #expect(markdown.standardOutput.contains("- `kubeone-apply`: out of date: never succeeded"))
    }

    /// With `--marks-from`, the default branch's tip is the remote's, not a stale local copy: CI
    /// marked a commit this clone has not fetched yet, and nothing is reported as owed.
    @Test func pendingWorkIsJudgedAgainstTheRemotesTip() async throws {
        defer {
            repository.remove()
            calls.remove()
        }
        let origin = try await addOrigin()
        defer { origin.remove() }
        try await repository.git("push", "--quiet", "origin", "main")
        try await repository.git("fetch", "--quiet", "origin")
        let local = try PlanJSON(
            try await slipway.run(["plan", "--event", "push", "--all", "--format", "json"], in: repository.path))
        // Elsewhere, main moves on and CI marks every job there.
        let other = try TemporaryDirectory(prefix: "slipway-other")
        defer { other.remove() }
        let clone = TemporaryGitRepository(directory: other)
        _ = try await clone.git("clone", "--quiet", origin.path, other.path)
        try await clone.git("config", "user.name", "Other")
        try await clone.git("config", "user.email", "other@slipway.invalid")
        try clone.write("kubeone/kubeone.yaml", "newer\n")
        let newer = try await clone.commit("newer")
        try await clone.git("push", "--quiet", "origin", "main")
        for job in local.selected {
            let object = try await clone.git(
                "commit-tree", "4b825dc642cb6eb9a060e54bf8d69288fbee4904", "-p", newer, "-m", "slipway mark \(job.id)",
                "-m", "Slipway-Fingerprint: \(job.fingerprint)\nSlipway-Succeeded-At: 1764582000")
            try await clone.git("push", "--quiet", "origin", "\(object):refs/slipway/marks/\(job.id)")
        }
        // This clone's origin/main is still the old commit; the pull request is of docs.
        try await repository.git("checkout", "--quiet", "-b", "feature")
        try repository.write("docs/index.md", "better\n")
        try await repository.commit("docs")
        let result = try await slipway.run(
            ["plan", "--event", "pull_request", "--marks-from", "origin", "--format", "json"], in: repository.path)
        #expect(result.status == 0, "\(result.standardError)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect((document["pendingOnDefaultBranch"] as? [Any])?.isEmpty == true, "\(result.standardOutput)")
    }

    /// GitHub and GitLab keep marks at refs/slipway/marks/, Bitbucket as tags slipway-marks/.
    @Test(arguments: ["refs/slipway/marks/", "refs/tags/slipway-marks/"])
    func planReadsTheMarksCIKeepsInARemote(remotePrefix: String) async throws {
        defer {
            repository.remove()
            calls.remove()
        }
        let origin = try await addOrigin()
        defer { origin.remove() }
        let marked = try await repository.git("rev-parse", "HEAD")
        // CI marked tf-plan and tf-apply (the fingerprints are the instances' own), then KubeOne changed.
        let local = try PlanJSON(try await slipway.run(["plan", "--format", "json"], in: repository.path))
        for id in ["tf-plan", "tf-apply"] {
            let fingerprint = try #require(local.selected.first { $0.id == id }?.fingerprint)
            let object = try await repository.git(
                "commit-tree", "4b825dc642cb6eb9a060e54bf8d69288fbee4904", "-p", marked, "-m", "slipway mark \(id)",
                "-m", "Slipway-Fingerprint: \(fingerprint)\nSlipway-Succeeded-At: 1764582000")
            try await repository.git("push", "--quiet", "origin", "\(object):\(remotePrefix)\(id)")
        }
        try repository.write("kubeone/kubeone.yaml", "new version\n")
        try await repository.commit("kubeone")
        let result = try await slipway.run(
            ["plan", "--event", "push", "--marks-from", "origin", "--format", "json"], in: repository.path)
        #expect(result.status == 0, "\(result.standardError)")
        let fromCI = try PlanJSON(result)
        #expect(fromCI.selected.map(\.id) == ["kubeone-apply", "docs"])
        #expect(fromCI.selected.first?.reasons == ["out of date: never succeeded"])
        // The local runs' marks are not CI's: without --marks-from everything never succeeded.
        #expect(try await plan().ids == ["tf-plan", "tf-apply", "kubeone-apply", "docs"])
    }

    @Test func aLateRunOfAnOlderCommitNeverMovesAMarkBack() async throws {
        defer {
            repository.remove()
            calls.remove()
        }
        let signal = "\(calls.path)/go"
        try repository.write(
            "slipway.yml",
            spec.replacingOccurrences(
                of: "run: echo docs >>\"$CALLS\"",
                with:
                    "run: |\n      while [[ -n \"${WAIT_FOR:-}\" && ! -f \"$WAIT_FOR\" ]]; do sleep 0.1; done\n      echo docs >>\"$CALLS\""
            ))
        let older = try await repository.commit("wait for a signal")
        // A slow run of the older commit starts, and waits.
        let slow = Task {
            try await slipway.run(
                ["run", "--event", "push", "--job", "docs"], in: repository.path,
                environment: ["CALLS": "\(calls.path)/slow", "WAIT_FOR": signal])
        }
        // Meanwhile the branch moves on and a run of the newer commit finishes first.
        var started = false
        for _ in 0..<200 where !started {
            try await Task.sleep(for: .milliseconds(50))
            started = (try await slipway.run(["status"], in: repository.path)).standardOutput.contains("running")
        }
        #expect(started)
        try repository.write("docs/index.md", "newer\n")
        let newer = try await repository.commit("newer docs")
        let (fast, _) = try await run(["--job", "docs"])
        #expect(fast.status == 0, "\(fast.standardError)")
        #expect(try await marks()["docs"] == newer)

        FileManager.default.createFile(atPath: signal, contents: nil)
        let late = try await slow.value
        #expect(late.status == 0, "\(late.standardError)")
        #expect(late.standardError.contains("kept the mark of docs at \(newer.prefix(7))"))
        #expect(try await marks()["docs"] == newer)
        #expect(older != newer)
    }
}
