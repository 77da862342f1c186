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
}
