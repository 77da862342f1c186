import Foundation
import SlipwayCore
import SlipwayTesting
import Testing

/// Terraform, then KubeOne on the cluster it makes, then a job without paths.
private let spec = SpecFixtures.terraformThenKubeOne(
    extra: """
          report:
            on: [push, manual]
            run: echo report
          nightly:
            on: [schedule]
            run: echo nightly
        """,
    script: { "echo \($0)" })

/// The planner's convergence rules (DESIGN.md, "Convergence") on marks given as values.
@Suite struct ConvergenceTests {
    let pipeline: Pipeline
    let head = String(repeating: "c", count: 40)
    let earlier = String(repeating: "b", count: 40)

    init() throws {
        pipeline = try #require(SpecValidator.pipeline(text: spec).pipeline)
    }

    /// Every instance marked at `commit` with its current fingerprint, in execution order, a
    /// second apart.
    func marks(at commit: String) -> [String: Mark] {
        var marks: [String: Mark] = [:]
        for (index, id) in pipeline.executionOrder.enumerated() {
            guard let instance = pipeline.instance(id) else { continue }
            marks[id] = Mark(
                commit: commit, fingerprint: instance.fingerprint,
                succeededAt: Date(timeIntervalSince1970: Double(1_000 + index)))
        }
        return marks
    }

    func plan(_ marks: [String: Mark], changed: [String] = [], event: Event = .push) -> Plan {
        var changesSince: [String: ChangeSet] = [:]
        for commit in Convergence.commits(of: marks) where commit != head {
            changesSince[commit] = ChangeSet(base: commit, head: head, paths: changed)
        }
        return Planner().converge(
            pipeline, event: event, Convergence(head: head, marks: marks, changesSince: changesSince))
    }

    func reasons(_ plan: Plan) -> [String: [SelectionReason]] {
        Dictionary(uniqueKeysWithValues: plan.selected.map { ($0.id, $0.reasons) })
    }

    @Test func withoutMarksEverythingThatListensNeverSucceeded() {
        let plan = plan([:])
        #expect(plan.selectedIDs == ["tf-plan", "tf-apply", "kubeone-apply", "report"])
        #expect(reasons(plan)["kubeone-apply"]?.first == .neverSucceeded)
        #expect(plan.skipped.map(\.id) == ["nightly"])
    }

    @Test func marksAtTheHeadLeaveNothingToDo() {
        let plan = plan(marks(at: head))
        #expect(plan.selected.isEmpty)
        #expect(plan.skipped.first { $0.id == "tf-apply" }?.reason == .upToDate(mark: head))
        #expect(plan.marks?["tf-apply"]?.commit == head)
    }

    @Test func aChangeSinceTheMarkSelectsWhatItMatchesAndCascades() {
        let plan = plan(marks(at: earlier), changed: ["terraform/main.tf"])
        // kubeone-apply needs tf-apply, which runs; report has no paths, so any change counts.
        #expect(plan.selectedIDs == ["tf-plan", "tf-apply", "kubeone-apply", "report"])
        #expect(
            reasons(plan)["tf-apply"] == [
                .changedSinceMark(path: "terraform/main.tf", pattern: "terraform/**", mark: earlier)
            ])
        #expect(reasons(plan)["kubeone-apply"] == [.cascade(from: "tf-apply")])
        #expect(
            reasons(plan)["report"] == [.changedSinceMark(path: "terraform/main.tf", pattern: nil, mark: earlier)])
    }

    @Test func aFailedDownstreamJobIsOutOfDateAfterAnUnrelatedPush() {
        // tf-apply succeeded at `earlier`; kubeone-apply failed there and last succeeded before.
        var marks = marks(at: earlier)
        marks["kubeone-apply"] = Mark(
            commit: String(repeating: "a", count: 40), fingerprint: pipeline.instance("kubeone-apply")!.fingerprint,
            succeededAt: Date(timeIntervalSince1970: 10))
        var state = Convergence(head: head, marks: marks, changesSince: [:])
        state.changesSince[earlier] = ChangeSet(base: earlier, head: head, paths: ["docs/readme.md"])
        state.changesSince[String(repeating: "a", count: 40)] = ChangeSet(paths: ["docs/readme.md"])
        let plan = Planner().converge(pipeline, event: .push, state)
        #expect(plan.selectedIDs == ["kubeone-apply", "report"])
        #expect(reasons(plan)["kubeone-apply"] == [.upstreamAppliedAfter(need: "tf-apply")])
    }

    @Test func aChangedDefinitionSelectsOnlyThatJobAndItsCascade() {
        var marks = marks(at: head)
        marks["tf-apply"]?.fingerprint = "older definition"
        let plan = plan(marks)
        #expect(plan.selectedIDs == ["tf-plan", "tf-apply", "kubeone-apply"])
        #expect(reasons(plan)["tf-apply"] == [.definitionChanged(mark: head)])
        #expect(reasons(plan)["tf-plan"] == [.pulledIn(by: "tf-apply")])
        #expect(reasons(plan)["kubeone-apply"] == [.cascade(from: "tf-apply")])
    }

    @Test func aMarkedCommitTheRepositoryLostCountsEverythingAsChanged() {
        var state = Convergence(head: head, marks: marks(at: earlier), changesSince: [:])
        state.changesSince[earlier] = ChangeSet(paths: ["terraform/main.tf"], everythingBecause: "gone")
        let plan = Planner().converge(pipeline, event: .push, state)
        #expect(plan.selectedIDs == ["tf-plan", "tf-apply", "kubeone-apply", "report"])
        #expect(reasons(plan)["kubeone-apply"]?.first == .markUnknown(mark: earlier))
    }

    @Test func manualRunsConvergeAmongTheJobsThatListenToThem() {
        #expect(plan([:], event: .manual).selectedIDs == ["report"])
        #expect(plan(marks(at: head), event: .manual).selectedIDs == [])
    }

    @Test func theReasonsSayWhatHappenedInWords() {
        #expect(SelectionReason.neverSucceeded.description == "out of date: never succeeded")
        #expect(
            SelectionReason.changedSinceMark(path: "terraform/main.tf", pattern: "terraform/**", mark: earlier)
                .description
                == "out of date: terraform/main.tf (matches terraform/**) changed since its last success at bbbbbbb")
        #expect(
            SelectionReason.upstreamAppliedAfter(need: "tf-apply").description
                == "out of date: tf-apply applied after it last succeeded")
        #expect(
            SkipReason.upToDate(mark: head).description
                == "up to date: nothing it depends on changed since its last success at ccccccc")
    }
}
