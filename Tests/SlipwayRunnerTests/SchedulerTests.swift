import SlipwayCore
import SlipwayRunner
import SlipwayTesting
import Testing

private typealias TestScheduler = Scheduler<ContinuousClock.Instant>
private let t0 = ContinuousClock.now

private func at(_ seconds: Int) -> ContinuousClock.Instant { t0.advanced(by: .seconds(seconds)) }

private func started(_ actions: [SchedulerAction]) -> [String] {
    actions.compactMap { if case .start(let job, _) = $0 { return job } else { return nil } }
}

private func outcome(_ actions: [SchedulerAction]) -> RunOutcome? {
    actions.compactMap { if case .finish(let outcome) = $0 { return outcome } else { return nil } }.first
}

@Suite struct SchedulerTests {
    @Test func aChainRunsInOrderOneAtATime() {
        var scheduler = TestScheduler(
            jobs: [
                ScheduledJob(id: "a"), ScheduledJob(id: "b", waitsFor: ["a"]), ScheduledJob(id: "c", waitsFor: ["b"]),
            ],
            parallelism: 4)
        #expect(started(scheduler.start(now: at(0))) == ["a"])
        #expect(started(scheduler.attemptFinished("a", outcome: .succeeded, now: at(1))) == ["b"])
        #expect(started(scheduler.attemptFinished("b", outcome: .succeeded, now: at(2))) == ["c"])
        #expect(outcome(scheduler.attemptFinished("c", outcome: .succeeded, now: at(3))) == .succeeded)
    }

    @Test func aRunsChangesToOneEnvironmentRunOneAtATimeInExecutionOrder() {
        var scheduler = TestScheduler(
            jobs: [
                ScheduledJob(id: "install", locksEnvironment: "master"),
                ScheduledJob(id: "dns", waitsFor: ["install"], locksEnvironment: "master"),
                ScheduledJob(id: "flux", waitsFor: ["install"], locksEnvironment: "master"),
                ScheduledJob(id: "seed", waitsFor: ["install"], locksEnvironment: "seed"),
                ScheduledJob(id: "lint", waitsFor: ["install"]),
            ],
            parallelism: 8)
        #expect(started(scheduler.start(now: at(0))) == ["install"])
        // dns and flux are both ready; flux waits for dns's change to master to end.
        #expect(
            started(scheduler.attemptFinished("install", outcome: .succeeded, now: at(1))) == ["dns", "seed", "lint"])
        #expect(started(scheduler.attemptFinished("seed", outcome: .succeeded, now: at(2))).isEmpty)
        #expect(started(scheduler.attemptFinished("dns", outcome: .failed(exitCode: 1), now: at(3))) == ["flux"])
        #expect(started(scheduler.attemptFinished("lint", outcome: .succeeded, now: at(4))).isEmpty)
        #expect(outcome(scheduler.attemptFinished("flux", outcome: .succeeded, now: at(5))) == .failed(jobs: ["dns"]))
    }

    @Test func anEnvironmentsGateIsAskedOnceAndItsApprovalCoversTheRunsChangesToIt() {
        let prod = "environment:prod"
        var scheduler = TestScheduler(
            jobs: [
                ScheduledJob(id: "plan"),
                ScheduledJob(id: "tf@prod", waitsFor: ["plan"], gated: true, approvalKey: prod),
                ScheduledJob(id: "kubeone@prod", waitsFor: ["plan"], gated: true, approvalKey: prod),
                ScheduledJob(id: "notify", waitsFor: ["plan"], gated: true),
            ],
            parallelism: 4, asksForApproval: true)
        #expect(started(scheduler.start(now: at(0))) == ["plan"])
        let ready = scheduler.attemptFinished("plan", outcome: .succeeded, now: at(1))
        // One question for prod, one for the job's own gate.
        #expect(ready == [.awaitApproval(job: "tf@prod"), .awaitApproval(job: "notify")])
        #expect(started(scheduler.approve("tf@prod", now: at(2))) == ["tf@prod", "kubeone@prod"])
        #expect(started(scheduler.attemptFinished("tf@prod", outcome: .succeeded, now: at(3))).isEmpty)
        _ = scheduler.attemptFinished("kubeone@prod", outcome: .succeeded, now: at(4))
        #expect(outcome(scheduler.decline("notify", now: at(5))) == .paused(awaiting: ["notify"]))
    }

    @Test func anApprovalFromAnEarlierSessionCoversItsWholeGate() {
        let jobs = [
            ScheduledJob(id: "tf@prod", gated: true, approvalKey: "environment:prod"),
            ScheduledJob(id: "kubeone@prod", waitsFor: ["tf@prod"], gated: true, approvalKey: "environment:prod"),
        ]
        var paused = TestScheduler(jobs: jobs, parallelism: 2)
        #expect(outcome(paused.start(now: at(0))) == .paused(awaiting: ["tf@prod"]))
        var resumed = TestScheduler(jobs: jobs, parallelism: 2, approved: ["tf@prod"])
        #expect(started(resumed.start(now: at(0))) == ["tf@prod"])
        #expect(started(resumed.attemptFinished("tf@prod", outcome: .succeeded, now: at(1))) == ["kubeone@prod"])
    }

    @Test func amongReadyJobsTheHeadOfTheLongestChainStartsFirst() {
        var scheduler = TestScheduler(
            jobs: [
                ScheduledJob(id: "leaf"), ScheduledJob(id: "head"), ScheduledJob(id: "middle", waitsFor: ["head"]),
                ScheduledJob(id: "tail", waitsFor: ["middle"]), ScheduledJob(id: "other"),
            ],
            parallelism: 1)
        // All of leaf, head and other are ready; head has two jobs waiting on it in a chain.
        #expect(started(scheduler.start(now: at(0))) == ["head"])
        #expect(started(scheduler.attemptFinished("head", outcome: .succeeded, now: at(1))) == ["middle"])
        // Equal chains keep execution order: leaf, tail, other.
        #expect(started(scheduler.attemptFinished("middle", outcome: .succeeded, now: at(2))) == ["leaf"])
        #expect(started(scheduler.attemptFinished("leaf", outcome: .succeeded, now: at(3))) == ["tail"])
        #expect(started(scheduler.attemptFinished("tail", outcome: .succeeded, now: at(4))) == ["other"])
    }

    @Test func independentJobsRunUpToTheParallelism() {
        var scheduler = TestScheduler(jobs: (0..<5).map { ScheduledJob(id: "j\($0)") }, parallelism: 2)
        #expect(started(scheduler.start(now: at(0))) == ["j0", "j1"])
        #expect(started(scheduler.attemptFinished("j1", outcome: .succeeded, now: at(1))) == ["j2"])
        #expect(scheduler.running == ["j0", "j2"])
    }

    @Test func aFailureSkipsEverythingDownstreamButNotItsNeighbours() {
        var scheduler = TestScheduler(
            jobs: [
                ScheduledJob(id: "plan"), ScheduledJob(id: "lint"), ScheduledJob(id: "apply", waitsFor: ["plan"]),
                ScheduledJob(id: "deploy", waitsFor: ["apply"]),
            ], parallelism: 2)
        #expect(started(scheduler.start(now: at(0))) == ["plan", "lint"])
        let actions = scheduler.attemptFinished("plan", outcome: .failed(exitCode: 2), now: at(1))
        #expect(actions.contains(.skip(job: "apply", cause: .upstream(job: "plan", ended: .failed))))
        #expect(actions.contains(.skip(job: "deploy", cause: .upstream(job: "apply", ended: .skipped))))
        #expect(outcome(actions) == nil)
        #expect(outcome(scheduler.attemptFinished("lint", outcome: .succeeded, now: at(2))) == .failed(jobs: ["plan"]))
        #expect(scheduler.states["plan"] == .failed(exitCode: 2, attempts: 1))
    }

    @Test func retriesRestartAFailedJobUntilItsAttemptsAreUsed() {
        var scheduler = TestScheduler(jobs: [ScheduledJob(id: "flaky", attempts: 3)], parallelism: 1)
        _ = scheduler.start(now: at(0))
        #expect(
            scheduler.attemptFinished("flaky", outcome: .failed(exitCode: 1), now: at(1)) == [
                .start(job: "flaky", attempt: 2)
            ])
        #expect(
            scheduler.attemptFinished("flaky", outcome: .failed(exitCode: 1), now: at(2)) == [
                .start(job: "flaky", attempt: 3)
            ])
        #expect(
            outcome(scheduler.attemptFinished("flaky", outcome: .failed(exitCode: 1), now: at(3)))
                == .failed(jobs: ["flaky"]))
        #expect(scheduler.states["flaky"] == .failed(exitCode: 1, attempts: 3))
    }

    @Test func aGatePausesTheRunUntilApproved() {
        let jobs = [ScheduledJob(id: "plan"), ScheduledJob(id: "apply@prod", waitsFor: ["plan"], gated: true)]
        var scheduler = TestScheduler(jobs: jobs, parallelism: 2)
        _ = scheduler.start(now: at(0))
        let actions = scheduler.attemptFinished("plan", outcome: .succeeded, now: at(1))
        #expect(actions.contains(.awaitApproval(job: "apply@prod")))
        #expect(outcome(actions) == .paused(awaiting: ["apply@prod"]))
        #expect(RunOutcome.paused(awaiting: []).exitCode == 3)

        var approvedAhead = TestScheduler(jobs: jobs, parallelism: 2, approved: ["apply@prod"])
        _ = approvedAhead.start(now: at(0))
        #expect(started(approvedAhead.attemptFinished("plan", outcome: .succeeded, now: at(1))) == ["apply@prod"])
    }

    @Test func anApprovalWhileOthersRunStartsTheGatedJob() {
        var scheduler = TestScheduler(
            jobs: [ScheduledJob(id: "gate", gated: true), ScheduledJob(id: "long")], parallelism: 2)
        let first = scheduler.start(now: at(0))
        #expect(first.contains(.awaitApproval(job: "gate")) && started(first) == ["long"])
        #expect(started(scheduler.approve("gate", now: at(5))) == ["gate"])
    }

    @Test func aJobPastItsTimeoutIsTerminatedAndCountsAsFailed() {
        var scheduler = TestScheduler(
            jobs: [ScheduledJob(id: "slow", timeout: .seconds(30)), ScheduledJob(id: "after", waitsFor: ["slow"])],
            parallelism: 1)
        _ = scheduler.start(now: at(0))
        #expect(scheduler.nextDeadline == at(30))
        #expect(scheduler.tick(now: at(29)).isEmpty)
        #expect(scheduler.tick(now: at(30)) == [.terminate(job: "slow")])
        #expect(scheduler.tick(now: at(31)).isEmpty)
        let actions = scheduler.attemptFinished("slow", outcome: .timedOut, now: at(32))
        #expect(actions.contains(.skip(job: "after", cause: .upstream(job: "slow", ended: .timedOut))))
        #expect(outcome(actions) == .failed(jobs: ["slow"]))
    }

    @Test func anInterruptTerminatesWhatRunsAndStartsNothingMore() {
        var scheduler = TestScheduler(
            jobs: [ScheduledJob(id: "a"), ScheduledJob(id: "b"), ScheduledJob(id: "c", waitsFor: ["a"])], parallelism: 2
        )
        _ = scheduler.start(now: at(0))
        let actions = scheduler.interrupt(now: at(1))
        #expect(Set(actions) == [.terminate(job: "a"), .terminate(job: "b")])
        #expect(
            scheduler.attemptFinished("a", outcome: .failed(exitCode: 143), now: at(2)).contains(
                .skip(job: "c", cause: .upstream(job: "a", ended: .interrupted))))
        #expect(outcome(scheduler.attemptFinished("b", outcome: .interrupted, now: at(2))) == .interrupted)
        #expect(RunOutcome.interrupted.exitCode == 130)
    }

    /// Random DAGs, random outcomes, random completion order: the invariants always hold.
    @Test func randomRunsKeepTheInvariants() {
        var generator = SeededGenerator(seed: 0x5C4E_D01E)
        for _ in 0..<300 {
            let count = Int.random(in: 1...15, using: &generator)
            let jobs = (0..<count).map { index in
                ScheduledJob(
                    id: "j\(index)",
                    waitsFor: (0..<index).filter { _ in Int.random(in: 0..<4, using: &generator) == 0 }.map {
                        "j\($0)"
                    },
                    gated: Int.random(in: 0..<8, using: &generator) == 0,
                    attempts: Int.random(in: 1...2, using: &generator))
            }
            let parallelism = Int.random(in: 1...4, using: &generator)
            var scheduler = TestScheduler(jobs: jobs, parallelism: parallelism)
            var now = 0
            var pending = scheduler.start(now: at(now))
            var running: [String] = []
            var succeeded: Set<String> = []
            var finish: RunOutcome?
            var steps = 0
            while finish == nil && steps < 1000 {
                steps += 1
                for action in pending {
                    switch action {
                    case .start(let job, _):
                        let waits = jobs.first { $0.id == job }!.waitsFor
                        #expect(waits.allSatisfy(succeeded.contains), "\(job) started before what it waits for")
                        running.append(job)
                    case .finish(let result): finish = result
                    default: break
                    }
                }
                #expect(running.count <= parallelism)
                pending = []
                guard finish == nil, !running.isEmpty else { break }
                let index = Int.random(in: 0..<running.count, using: &generator)
                let job = running.remove(at: index)
                now += 1
                let ok = Int.random(in: 0..<5, using: &generator) > 0
                if ok { succeeded.insert(job) }
                pending = scheduler.attemptFinished(job, outcome: ok ? .succeeded : .failed(exitCode: 1), now: at(now))
            }
            #expect(finish != nil, "the run never finished")
            // Every job ended somewhere final.
            for job in jobs {
                switch scheduler.states[job.id] {
                case .succeeded, .failed, .skipped, .awaitingApproval, .waiting: break
                default: Issue.record("\(job.id) left in \(String(describing: scheduler.states[job.id]))")
                }
            }
        }
    }
}
