import Foundation
import SlipwayRunner
import SlipwayTesting
import Testing

/// End-to-end: kill -9 the runner at random moments and resume, many times.
@Suite struct CrashRecoveryTests {
    @Test func succeededJobsNeverRunAgainAndTheStoreStaysSound() async throws {
        let marker = "slipway-crash-\(UUID().uuidString.prefix(8))"
        var spec = "version: 1\njobs:\n"
        for index in 0..<6 {
            spec += "  j\(index):\n    paths: [\"**\"]\n"
            if index > 0 { spec += "    needs: [j\(index - 1)]\n" }
            spec += "    run: |\n      echo j\(index) >> started.log\n      bash -c 'exec -a \(marker) sleep 0.3'\n"
        }
        var generator = SeededGenerator(seed: 0xC4A5)
        for round in 0..<4 {
            let directory = try TemporaryDirectory(prefix: "slipway-crash")
            defer { directory.remove() }
            try directory.write("slipway.yml", spec)
            var arguments = ["run", "--event", "push", "--changed", "x"]
            var finished = false
            for _ in 0..<12 where !finished {
                let runner = try slipway.start(arguments, in: directory.path)
                try await Task.sleep(for: .milliseconds(Int.random(in: 100...700, using: &generator)))
                // On a loaded machine the process may not have recorded its run yet: a crash before
                // that tests nothing, so wait (bounded) until there is a run to recover.
                let database = "\(directory.path)/.slipway/slipway.db"
                for _ in 0..<200 where runner.isRunning {
                    if FileManager.default.fileExists(atPath: database),
                        (try? RunStore(path: database).runs(limit: 1).first) != nil
                    {
                        break
                    }
                    try await Task.sleep(for: .milliseconds(50))
                }
                if runner.isRunning {
                    kill(runner.processIdentifier, SIGKILL)
                    runner.waitUntilExit()
                } else {
                    finished = runner.terminationStatus == 0
                    runner.waitUntilExit()
                }
                let store = try RunStore(path: "\(directory.path)/.slipway/slipway.db")
                #expect(try store.integrityCheck() == "ok", "round \(round)")
                guard let run = try store.runs(limit: 1).first else { continue }
                // Whatever succeeded before this resume must not start again.
                let succeededBefore = Set(
                    try store.attempts(run: run.id).filter { $0.status == .succeeded }.map(\.job))
                arguments = ["resume", run.id]
                let resumed = try await slipway.run(arguments, in: directory.path)
                let attempts = try store.attempts(run: run.id)
                for job in succeededBefore {
                    #expect(
                        attempts.filter { $0.job == job }.count == 1,
                        "\(job) ran again after it succeeded (round \(round))")
                }
                if resumed.status == 0 { finished = true }
            }
            #expect(finished, "round \(round) never finished")
            let store = try RunStore(path: "\(directory.path)/.slipway/slipway.db")
            let run = try #require(try store.runs(limit: 1).first)
            #expect(run.status == .succeeded)
            let succeeded = Set(try store.attempts(run: run.id).filter { $0.status == .succeeded }.map(\.job))
            #expect(succeeded == Set((0..<6).map { "j\($0)" }))
            #expect(await Processes.gone(matching: marker), "a job process outlived the crash and the resume")
        }
    }

    @Test func anInterruptedMutatingJobNeedsAnExplicitRerun() async throws {
        let marker = "slipway-mutating-\(UUID().uuidString.prefix(8))"
        let directory = try TemporaryDirectory(prefix: "slipway-crash")
        defer { directory.remove() }
        try directory.write(
            "slipway.yml",
            """
            version: 1
            environments: [prod]
            jobs:
              apply:
                on: [push]
                paths: ["**"]
                mutates: true
                environment: prod
                run: |
                  echo applying >> applied.log
                  # Only the first attempt hangs, so the test can tell a kill from a natural end.
                  if [ "$(wc -l < applied.log)" -eq 1 ]; then bash -c 'exec -a \(marker) sleep 60'; fi
            """)
        // "<marker> 60" is the renamed sleep itself, not a shell whose script mentions it.
        let sleeping = "\(marker) 60"
        // Started through the job executor, like a shell would start it: Foundation's Process
        // takes the runner's children down with it, which would hide what this test checks.
        let environment = ProcessInfo.processInfo.environment.filter { $0.key != "NO_COLOR" }
        let runner = try JobExecutor().start(
            ExecutableJob(
                id: "runner", script: "exec \"\(slipway.path)\" run --event push --changed x",
                directory: directory.path,
                environment: environment, secretValues: []), output: { _ in })
        for _ in 0..<100 where !Processes.alive(matching: sleeping) { try await Task.sleep(for: .milliseconds(50)) }
        kill(runner.processGroup, SIGKILL)
        _ = await runner.wait()
        #expect(Processes.alive(matching: sleeping), "the job should still run after the runner died")
        let refused = try await slipway.run(["resume"], in: directory.path)
        #expect(refused.status == 2)
        #expect(refused.standardOutput.contains("Stopped what was left of apply's interrupted attempt"))
        #expect(refused.standardError.contains("apply was interrupted while changing its environment"))
        #expect(refused.standardError.contains("--rerun-interrupted"))
        #expect(await Processes.gone(matching: sleeping))
        let rerun = try await slipway.run(["resume", "--rerun-interrupted"], in: directory.path)
        #expect(rerun.status == 0, "\(rerun.standardError)")
        #expect(try String(contentsOfFile: "\(directory.path)/applied.log", encoding: .utf8) == "applying\napplying\n")
    }
}
