import SlipwayCore
import Testing

/// An environment's gate asks once per run, before the first of the run's mutating jobs for it:
/// CI files get one approval point per gated instance, and each job waits for the points that may
/// have asked for what it is or waits for.
@Suite struct ApprovalPointTests {
    let pipeline: Pipeline

    init() throws {
        let spec = """
            version: 1
            environments:
              - name: dev
              - name: prod
                gate: manual
            jobs:
              prepare: { environment: prod, mutates: true, on: [push], paths: ["prepare/**"], run: make prepare }
              plan: { on: [push], needs: [prepare], paths: ["plan/**"], run: make plan }
              apply: { environment: prod, needs: [plan], mutates: true, on: [push], paths: ["apply/**"], run: make apply }
              migrate: { environment: prod, mutates: true, on: [push], paths: ["migrate/**"], run: make migrate }
              report: { on: [push], needs: [apply], paths: ["report/**"], run: make report }
              deploy: { environment: each, mutates: true, on: [push], paths: ["deploy/**"], run: make deploy }
              audit: { gate: manual, environment: prod, on: [push], paths: ["audit/**"], run: make audit }
            """
        let result = SpecValidator.pipeline(text: spec)
        pipeline = try #require(result.pipeline, "\(result.diagnostics)")
    }

    @Test func eachGatedInstanceHasAPointAfterTheEnvironmentsEarlierOnes() throws {
        let points = pipeline.approvalPoints
        // dev has no gate, and audit's own gate asks at audit alone.
        #expect(points.allSatisfy { $0.environment == "prod" })
        let order = pipeline.executionOrder
        let gated = order.filter { ["prepare", "apply", "migrate", "deploy@prod"].contains($0) }
        #expect(points.map(\.instance) == gated)
        for (offset, point) in points.enumerated() {
            #expect(point.earlier == Array(gated.prefix(offset)), "\(point.instance)")
        }
        #expect(try #require(pipeline.approvalPoint(before: "apply")).slug == "slipway-approve-apply")
        #expect(pipeline.approvalPoint(before: "deploy@dev") == nil)
        #expect(pipeline.approvalPoint(before: "audit") == nil)
    }

    @Test func aJobWaitsForThePointsOfWhatItIsOrWaitsForAndNeverForOneThatWaitsForIt() throws {
        let awaited = { (id: String) in pipeline.approvalPoints(awaitedBy: id).map(\.instance) }
        #expect(awaited("prepare") == ["prepare"])
        #expect(awaited("plan") == ["prepare"])
        // apply comes after prepare, so whichever of the two asked first is what it waits for.
        let order = pipeline.executionOrder
        let beforeApply = order.filter { ["prepare", "apply", "migrate", "deploy@prod"].contains($0) }
            .prefix { $0 != "apply" }
        #expect(awaited("apply") == Array(beforeApply) + ["apply"])
        #expect(awaited("report") == awaited("apply"))
        #expect(awaited("deploy@dev").isEmpty)
        // No cycle: a point waits for what its instance waits for, and none of that waits for the point.
        for point in pipeline.approvalPoints {
            for upstream in pipeline.upstream(of: point.instance) {
                #expect(
                    !pipeline.approvalPoints(awaitedBy: upstream).contains(point), "\(upstream) → \(point.instance)")
            }
        }
    }

    /// GitHub's stages: the environment's gated instances by how many of them lie above each.
    @Test func stagesGroupGatedInstancesByLevelAndNeverWaitForOneThatWaitsForThem() throws {
        let level = { (id: String) in pipeline.approvalPoints.first { $0.instance == id }?.level }
        // prepare, migrate and deploy@prod wait for no gated prod instance; apply waits for prepare.
        #expect(level("prepare") == 0)
        #expect(level("migrate") == 0)
        #expect(level("deploy@prod") == 0)
        #expect(level("apply") == 1)
        let stages = pipeline.approvalStages
        #expect(stages.map(\.slug) == ["slipway-approve-1-prod", "slipway-approve-2-prod"])
        #expect(Set(stages[0].points.map(\.instance)) == ["prepare", "migrate", "deploy@prod"])
        #expect(stages[1].points.map(\.instance) == ["apply"])
        #expect(pipeline.approvalStages(askingFor: "apply").map(\.level) == [0, 1])
        #expect(pipeline.approvalStages(askingFor: "migrate").map(\.level) == [0])
        #expect(pipeline.approvalStages(askingFor: "report").isEmpty)
        // No cycle: nothing a stage's instances wait for waits for the stage.
        for stage in stages {
            for point in stage.points {
                for upstream in pipeline.instance(point.instance)?.waitsFor ?? [] {
                    #expect(
                        !pipeline.approvalStages(askingFor: upstream).contains(stage), "\(upstream) → \(stage.slug)")
                }
            }
        }
    }
}
