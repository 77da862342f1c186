import Foundation
import SlipwayRunner
import SlipwayTesting
import Testing

/// The store keeps typed states and skip causes, and reads back what it wrote.
@Suite struct RunStoreTests {
    @Test func statesAndSkipCausesRoundTripTyped() throws {
        let directory = try TemporaryDirectory(prefix: "slipway-store")
        defer { directory.remove() }
        let store = try RunStore(path: "\(directory.path)/.slipway/slipway.db")
        let jobs = [ScheduledJob(id: "plan"), ScheduledJob(id: "apply", waitsFor: ["plan"])]
        try store.insert(try RunRecord(id: "r1", spec: "slipway.yml", event: "push", jobs: jobs))
        try store.startAttempt(run: "r1", job: "plan", attempt: 1)
        try store.finishAttempt(run: "r1", job: "plan", attempt: 1, status: .timedOut, exitCode: nil)
        let cause = SkipCause.upstream(job: "plan", ended: .timedOut)
        try store.skip(run: "r1", job: "apply", cause: cause)
        try store.setStatus(run: "r1", .failed)

        #expect(try store.run("r1")?.status == .failed)
        #expect(try store.attempts(run: "r1").map(\.status) == [.timedOut])
        let events = try store.events(run: "r1")
        #expect(events.map(\.kind) == [.started, .timedOut, .skipped])
        #expect(events.last?.skipCause == cause)
        // Reopening migrates nothing twice and reads the same values.
        let reopened = try RunStore(path: "\(directory.path)/.slipway/slipway.db")
        #expect(try reopened.events(run: "r1").last?.skipCause == cause)
    }
}
