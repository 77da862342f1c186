import Crypto
import Foundation
import SlipwayRunner
import SlipwayTesting
import Testing

/// A scratch repository with `spec` as its slipway.yml.
private func workspace(_ spec: String) throws -> TemporaryDirectory {
    let directory = try TemporaryDirectory(prefix: "slipway-run")
    try directory.write("slipway.yml", spec)
    return directory
}

/// The text of every log file of the newest run.
private func logs(in directory: TemporaryDirectory) throws -> String {
    let runs = "\(directory.path)/.slipway/runs"
    let newest = try #require(try FileManager.default.contentsOfDirectory(atPath: runs).sorted().last)
    return try FileManager.default.contentsOfDirectory(atPath: "\(runs)/\(newest)").sorted().map {
        try String(contentsOfFile: "\(runs)/\(newest)/\($0)", encoding: .utf8)
    }.joined()
}

/// End-to-end: `slipway run` with real processes.
@Suite struct RunCommandTests {
    private let secrets = """
        version: 1
        secrets: [TOKEN, OTHER]
        jobs:
          build:
            paths: ["**"]
            secrets: [TOKEN]
            run: |
              echo "token is $TOKEN"
              printf 'split: s3cr'; sleep 0.1; printf 'et-value\\n'
              echo "deployed with $TOKEN" >> "$SLIPWAY_SUMMARY"
          test:
            paths: ["**"]
            needs: [build]
            run: |
              echo "token here: ${TOKEN:-none}, other: ${OTHER:-none}"
        """

    @Test func runsInOrderWithLeastPrivilegeSecretsMaskedEverywhere() async throws {
        let directory = try workspace(secrets)
        defer { directory.remove() }
        let result = try await slipway.run(
            ["run", "--event", "push", "--changed", "x"], in: directory.path,
            environment: ["TOKEN": "s3cret-value", "OTHER": "other-value"])
        #expect(result.status == 0, "\(result.standardError)")
        let output = result.standardOutput
        #expect(output.contains("[build] token is ***\n"))
        #expect(output.contains("[build] split: ***\n"))
        #expect(output.contains("[test] token here: none, other: none\n"))
        #expect(output.range(of: "[build] succeeded")!.lowerBound < output.range(of: "[test] started")!.lowerBound)
        #expect(!output.contains("s3cret-value") && !result.standardError.contains("s3cret-value"))
        let written = try logs(in: directory)
        #expect(written.contains("token is ***") && !written.contains("s3cret-value"))
        // The job's own summary file is masked too.
        #expect(written.contains("deployed with ***"))
    }

    @Test func secretsCanComeFromAnEnvFileAndAMissingOneIsAnError() async throws {
        let directory = try workspace(secrets)
        defer { directory.remove() }
        let missing = try await slipway.run(
            ["run", "--event", "push", "--changed", "x"], in: directory.path, environment: ["TOKEN": nil])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("error: no value for TOKEN (needed by build)"))
        #expect(missing.standardError.contains("--env-file"))
        try directory.write("secrets.env", "TOKEN='s3cret-value'\n")
        let fromFile = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--env-file", "secrets.env"], in: directory.path,
            environment: ["TOKEN": nil])
        #expect(fromFile.status == 0, "\(fromFile.standardError)")
        #expect(fromFile.standardOutput.contains("[build] token is ***"))
    }

    @Test func aFailureSkipsWhatDependsOnItAndExits1() async throws {
        let directory = try workspace(
            """
            version: 1
            jobs:
              plan:
                paths: ["**"]
                run: echo planning; exit 3
              apply:
                paths: ["**"]
                needs: [plan]
                run: echo never
              lint:
                paths: ["**"]
                run: echo linting
            """)
        defer { directory.remove() }
        let result = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--jobs", "1"], in: directory.path)
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("[plan] failed with exit code 3"))
        #expect(result.standardOutput.contains("[apply] skipped: plan failed"))
        #expect(result.standardOutput.contains("[lint] succeeded"))
        #expect(!result.standardOutput.contains("never"))
        #expect(result.standardError.contains("error: plan failed"))
        #expect(result.standardError.contains("`slipway logs plan` prints its output"))
        #expect(result.standardError.contains("then `slipway resume "))
        // The gate-less job that failed cannot be approved, and the message says why.
        let approve = try await slipway.run(["approve", "plan"], in: directory.path)
        #expect(approve.status == 2)
        #expect(approve.standardError.contains("error: 'plan' has no gate, so there is nothing to approve"))
        // A name nothing resembles lists what there is.
        let unknown = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--job", "zzzzzz"], in: directory.path)
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("error: --job names 'zzzzzz', which is not a job of slipway.yml"))
        #expect(unknown.standardError.contains("note: the jobs are plan, apply, lint"))
        let approveAhead = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--approve", "aply"], in: directory.path)
        #expect(approveAhead.status == 2)
        #expect(approveAhead.standardError.contains("did you mean 'apply'?"))
    }

    @Test func aGatePausesWithExit3UntilApprovedThenResumes() async throws {
        let directory = try workspace(
            """
            version: 1
            environments: [{ name: prod, gate: manual }]
            jobs:
              build:
                paths: ["**"]
                run: echo built >> ran.log
              apply:
                on: [push]
                paths: ["**"]
                needs: [build]
                mutates: true
                environment: each
                run: echo "applying to $SLIPWAY_ENVIRONMENT"
            """)
        defer { directory.remove() }
        let paused = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--no-input"], in: directory.path)
        #expect(paused.status == 3)
        #expect(paused.standardError.contains("error: waiting for approval: apply@prod"))
        #expect(paused.standardError.contains("run `slipway approve apply@prod`, then `slipway resume`"))
        #expect(!paused.standardOutput.contains("applying"))
        let status = try await slipway.run(["status"], in: directory.path)
        #expect(status.standardOutput.contains("paused"))
        #expect(status.standardOutput.contains("apply@prod  waiting for approval"))
        // Without a git user.email, the approver is the login name.
        let approve = try await slipway.run(
            ["approve", "apply@prod"], in: directory.path,
            environment: ["USER": "alice", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"])
        #expect(approve.status == 0, "\(approve.standardError)")
        let resumed = try await slipway.run(["resume"], in: directory.path)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("[apply@prod] applying to prod"))
        #expect(!resumed.standardOutput.contains("[build] started"), "a succeeded job ran again")
        #expect(try String(contentsOfFile: "\(directory.path)/ran.log", encoding: .utf8) == "built\n")
        let after = try await slipway.run(["status"], in: directory.path)
        #expect(after.standardOutput.contains("apply@prod approved by alice"))

        // Approving ahead needs no pause at all.
        let ahead = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--no-input", "--approve", "apply@prod"], in: directory.path)
        #expect(ahead.status == 0, "\(ahead.standardError)")
        #expect(ahead.standardOutput.contains("[apply@prod] applying to prod"))
    }

    @Test func runsAndLogsShowHistory() async throws {
        let directory = try workspace(secrets)
        defer { directory.remove() }
        _ = try await slipway.run(
            ["run", "--event", "push", "--changed", "x"], in: directory.path, environment: ["TOKEN": "s3cret-value"])
        let runs = try await slipway.run(["runs"], in: directory.path)
        #expect(runs.status == 0)
        #expect(
            runs.standardOutput.contains("push") && runs.standardOutput.contains("succeeded")
                && runs.standardOutput.contains("2 jobs"))
        let logs = try await slipway.run(["logs", "build"], in: directory.path)
        #expect(logs.status == 0)
        #expect(logs.standardOutput == "token is ***\nsplit: ***\n")
        let unknown = try await slipway.run(["logs", "biuld"], in: directory.path)
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("did you mean 'build'?"))
        // The store holds no secret value.
        let database = try Data(contentsOf: URL(fileURLWithPath: "\(directory.path)/.slipway/slipway.db"))
        #expect(database.range(of: Data("s3cret-value".utf8)) == nil)
    }

    @Test func aJobPastItsTimeoutIsKilledWithEverythingItStarted() async throws {
        let marker = "slipway-timeout-\(UUID().uuidString.prefix(8))"
        let directory = try workspace(
            """
            version: 1
            jobs:
              hang:
                paths: ["**"]
                timeout: 1s
                run: |
                  bash -c 'exec -a \(marker)-child sleep 300' &
                  exec -a \(marker) sleep 300
            """)
        defer { directory.remove() }
        let result = try await slipway.run(["run", "--event", "push", "--changed", "x"], in: directory.path)
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("[hang] timed out"))
        try await Task.sleep(for: .milliseconds(200))
        #expect(await Processes.gone(matching: marker), "a process of the timed-out job survived")
    }

    @Test func retriesRunAFailedJobAgain() async throws {
        let directory = try workspace(
            """
            version: 1
            jobs:
              flaky:
                paths: ["**"]
                retry: 2
                run: |
                  count=$(cat attempts 2>/dev/null || echo 0)
                  echo $((count + 1)) > attempts
                  test "$count" -ge 1
            """)
        defer { directory.remove() }
        let result = try await slipway.run(["run", "--event", "push", "--changed", "x"], in: directory.path)
        #expect(result.status == 0, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("[flaky] started (attempt 2)"))
    }

    /// Two jobs that can only succeed when they run at the same time: `--jobs 2` runs them in
    /// parallel, `--jobs 1` cannot.
    @Test func jobsRunInParallelUpToTheLimit() async throws {
        let spec = """
            version: 1
            jobs:
              left:
                paths: ["**"]
                run: |
                  touch left.started
                  for _ in $(seq 1 50); do test -e right.started && exit 0; sleep 0.1; done
                  exit 1
              right:
                paths: ["**"]
                run: |
                  touch right.started
                  for _ in $(seq 1 50); do test -e left.started && exit 0; sleep 0.1; done
                  exit 1
            """
        let parallel = try workspace(spec)
        defer { parallel.remove() }
        let together = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--jobs", "2"], in: parallel.path)
        #expect(together.status == 0, "\(together.standardOutput)")
        let serial = try workspace(spec)
        defer { serial.remove() }
        let alone = try await slipway.run(["run", "--event", "push", "--changed", "x", "--jobs", "1"], in: serial.path)
        #expect(alone.status == 1)
    }

    @Test func ctrlCStopsEveryJobAndExits130() async throws {
        let marker = "slipway-interrupt-\(UUID().uuidString.prefix(8))"
        let directory = try workspace(
            """
            version: 1
            jobs:
              long:
                paths: ["**"]
                run: |
                  echo started
                  exec -a \(marker) sleep 300
            """)
        defer { directory.remove() }
        let process = try slipway.start(["run", "--event", "push", "--changed", "x"], in: directory.path)
        for _ in 0..<50 where !Processes.alive(matching: marker) { try await Task.sleep(for: .milliseconds(100)) }
        #expect(Processes.alive(matching: marker))
        process.interrupt()
        for _ in 0..<150 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 130)
        #expect(await Processes.gone(matching: marker))
    }

    /// The tools a job runs are checked before anything starts, as the generated CI checks them;
    /// a tool named only as an argument (`yamllint … kubeone`) is not required.
    @Test func pinnedToolsAreCheckedBeforeAnythingRuns() async throws {
        let directory = try workspace(
            """
            version: 1
            tools: {kubeone: 1.9.2, flux: 2.5.1}
            jobs:
              lint:
                paths: ["**"]
                run: echo yamllint -s kubeone flux > lint.txt
              provision:
                paths: ["**"]
                needs: [lint]
                run: kubeone apply --manifest kubeone.yaml
            """)
        defer { directory.remove() }
        // A test double for kubeone, which cannot be installed here: it prints its version the
        // way kubeone does, and records every other call.
        func installKubeone(version: String) throws {
            try directory.writeExecutable(
                "bin/kubeone",
                """
                #!/bin/bash
                if [[ "$1" == version ]]; then printf '{"kubeone": {"gitVersion": "%s"}}\n' '\(version)'; exit 0; fi
                echo "$*" >>"\(directory.path)/kubeone.calls"

                """)
        }
        let path = "\(directory.path)/bin:/usr/bin:/bin"
        let missing = try await slipway.run(
            ["run", "--event", "push", "--changed", "x"], in: directory.path, environment: ["PATH": path])
        #expect(missing.status == 1)
        #expect(
            missing.standardError.contains(
                "error: provision runs kubeone 1.9.2, pinned in slipway.yml, but kubeone is not on PATH"))
        #expect(!missing.standardError.contains("flux"))
        #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/lint.txt"))

        try installKubeone(version: "v1.8.0")
        let wrong = try await slipway.run(
            ["run", "--event", "push", "--changed", "x"], in: directory.path, environment: ["PATH": path])
        #expect(wrong.status == 1)
        #expect(
            wrong.standardError.contains(
                "but `kubeone version` (\(directory.path)/bin/kubeone) printed: {\"kubeone\": {\"gitVersion\": \"v1.8.0\"}}"
            ))
        #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/kubeone.calls"))

        try installKubeone(version: "v1.9.2")
        let right = try await slipway.run(
            ["run", "--event", "push", "--changed", "x"], in: directory.path, environment: ["PATH": path])
        #expect(right.status == 0, "\(right.standardError)")
        let calls = try String(contentsOfFile: "\(directory.path)/kubeone.calls", encoding: .utf8)
        #expect(calls == "apply --manifest kubeone.yaml\n")
    }

    @Test func dryRunPrintsTheScriptsAndRunsNothing() async throws {
        let directory = try workspace(secrets)
        defer { directory.remove() }
        let result = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--dry-run"], in: directory.path)
        #expect(result.status == 0)
        #expect(
            result.standardOutput.hasPrefix(
                "Would run 2 jobs for push, in this order:\n\n== build (secrets: TOKEN)\necho \"token is $TOKEN\""))
        #expect(result.standardOutput.contains("== test (after build)"))
        #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/.slipway"))
    }
}

/// End-to-end: a real `terraform plan` → `terraform apply` through an artifact.
@Suite struct RunArtifactTests {
    private let terraform = """
        variable "release" {
          type = string
        }

        resource "terraform_data" "release" {
          input = var.release
        }

        output "release" {
          value = terraform_data.release.output
        }
        """

    private func spec(between: String) -> String {
        """
        version: 1
        environments: [prod]
        jobs:
          plan:
            paths: ["**"]
            produces: [tf/plan.tfplan]
            run: |
              terraform -chdir=tf init -input=false -no-color >/dev/null
              terraform -chdir=tf plan -input=false -no-color -var release=reviewed -out=plan.tfplan >/dev/null
          between:
            paths: ["**"]
            needs: [plan]
            run: \(between)
          apply:
            on: [push]
            paths: ["**"]
            needs: [plan, between]
            mutates: true
            environment: prod
            run: |
              terraform -chdir=tf apply -input=false -no-color plan.tfplan >/dev/null
              echo "applied: $(terraform -chdir=tf output -raw release)"
        """
    }

    private func run(between: String) async throws -> (result: CommandResult, directory: TemporaryDirectory) {
        _ = try requireTool("terraform")
        let directory = try TemporaryDirectory(prefix: "slipway-terraform")
        try directory.write("tf/main.tf", terraform)
        try directory.write("slipway.yml", spec(between: between))
        let result = try await slipway.run(
            ["run", "--event", "push", "--changed", "tf/main.tf", "--jobs", "1"], in: directory.path,
            environment: ["CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"])
        return (result, directory)
    }

    @Test func applyUsesExactlyTheReviewedPlanEvenIfTheWorkspaceChanged() async throws {
        // A job between plan and apply writes a different plan into the workspace.
        let (result, directory) = try await run(
            between: "terraform -chdir=tf plan -input=false -no-color -var release=sneaky -out=plan.tfplan >/dev/null")
        defer { directory.remove() }
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("[apply] applied: reviewed"))
    }

    @Test func anAlteredArtifactFailsTheJobThatWouldUseItAndNamesTheFile() async throws {
        // A job between plan and apply alters the stored copy of the reviewed plan.
        let (result, directory) = try await run(
            between: "echo tampered >> \".slipway/runs/$SLIPWAY_RUN_ID/artifacts/plan/files/tf/plan.tfplan\"")
        defer { directory.remove() }
        #expect(result.status == 1)
        #expect(
            result.standardOutput.contains(
                "[apply] slipway: 'tf/plan.tfplan' produced by plan was altered after it was recorded"))
        #expect(!result.standardOutput.contains("applied:"))
    }

    @Test func aMissingProducedFileFailsTheProducer() async throws {
        let directory = try workspace(
            """
            version: 1
            jobs:
              build:
                paths: ["**"]
                produces: [out/app.bin]
                run: echo forgot to build
            """)
        defer { directory.remove() }
        let result = try await slipway.run(["run", "--event", "push", "--changed", "x"], in: directory.path)
        #expect(result.status == 1)
        #expect(
            result.standardOutput.contains(
                "[build] slipway: build lists 'out/app.bin' under 'produces' but did not create it"))
    }
}

/// End-to-end: mutating jobs of concurrent runs never overlap on one environment.
@Suite struct RunLockTests {
    /// A mutating job that holds its lock while `hold` runs.
    private func spec(holding hold: String) -> String {
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
              echo "start $SLIPWAY_RUN_ID" >> shared.log
              \(hold)
              echo "end $SLIPWAY_RUN_ID" >> shared.log
        """
    }

    /// Starts a run in the background, returning once its job has started.
    private func background(_ directory: TemporaryDirectory, _ extra: [String] = []) async throws -> Process {
        let process = try slipway.start(["run", "--event", "push", "--changed", "x"] + extra, in: directory.path)
        for _ in 0..<100 {
            if let log = try? String(contentsOfFile: "\(directory.path)/shared.log", encoding: .utf8),
                log.contains("start")
            {
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process
    }

    @Test func aSecondRunFailsAtOnceAndSaysWhoHoldsTheLock() async throws {
        let directory = try TemporaryDirectory(prefix: "slipway-lock")
        defer { directory.remove() }
        // The first run holds the lock until the test has seen the second fail, however slow the
        // machine (bounded at 60 s).
        try directory.write(
            "slipway.yml",
            spec(holding: "for _ in $(seq 1200); do [ -e release ] && break; sleep 0.05; done"))
        let first = try await background(directory)
        let second = try await slipway.run(["run", "--event", "push", "--changed", "x"], in: directory.path)
        try directory.write("release", "")
        await first.exited()
        #expect(first.terminationStatus == 0)
        #expect(second.status == 1)
        #expect(second.standardOutput.contains("environment 'prod' is locked by run "))
        #expect(second.standardOutput.contains("(job apply, pid \(first.processIdentifier)"))
        #expect(second.standardOutput.contains("pass --lock-timeout to wait"))
    }

    @Test func withALockTimeoutRunsTakeTurns() async throws {
        let directory = try TemporaryDirectory(prefix: "slipway-lock")
        defer { directory.remove() }
        try directory.write("slipway.yml", spec(holding: "sleep 1"))
        let first = try await background(directory, ["--lock-timeout", "30s"])
        let second = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--lock-timeout", "30s"], in: directory.path)
        await first.exited()
        #expect(first.terminationStatus == 0)
        #expect(second.status == 0, "\(second.standardOutput)")
        let lines = try String(contentsOfFile: "\(directory.path)/shared.log", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)
        // start, end of one run, then start, end of the other: never interleaved.
        #expect(lines.map { $0.split(separator: " ")[0] } == ["start", "end", "start", "end"])
        #expect(lines[0].split(separator: " ")[1] == lines[1].split(separator: " ")[1])
    }
}

/// End-to-end on a real pseudo-terminal (`script`): live lines, and a gate that asks.
@Suite struct RunTerminalTests {
    private let spec = """
        version: 1
        environments: [{ name: prod, gate: manual }]
        jobs:
          build:
            paths: ["**"]
            run: echo compiling
          apply:
            on: [push]
            paths: ["**"]
            needs: [build]
            mutates: true
            environment: prod
            run: echo "applied to $SLIPWAY_ENVIRONMENT"
        """

    private func onTerminal(answer: String) async throws -> (CommandResult, TemporaryDirectory) {
        let script = try requireTool("script")
        let directory = try TemporaryDirectory(prefix: "slipway-tty")
        try directory.write("slipway.yml", spec)
        let result = try await SlipwayBinary(path: script).run(
            ["-qec", "\(slipway.path) run --event push --changed x", "/dev/null"], in: directory.path, input: answer)
        return (result, directory)
    }

    @Test func aGateAsksOnATerminalAndYesRunsIt() async throws {
        let (result, directory) = try await onTerminal(answer: "y\n")
        defer { directory.remove() }
        #expect(result.status == 0, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("Approve apply"))
        #expect(result.standardOutput.contains("(changes prod)? [y/N]"))
        #expect(result.standardOutput.contains("apply  succeeded"))
        // The summary table closes the run.
        #expect(result.standardOutput.contains("  build  succeeded"))
        let status = try await slipway.run(["status"], in: directory.path)
        #expect(status.standardOutput.contains("apply approved by"))
    }

    @Test func anythingButYesLeavesTheRunPaused() async throws {
        let (result, directory) = try await onTerminal(answer: "n\n")
        defer { directory.remove() }
        #expect(result.status == 3, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("waiting for approval: apply"))
        #expect(!result.standardOutput.contains("applied to prod"))
    }
}

/// End-to-end: `slipway logs --follow` prints a running job's log until the attempt ends.
@Suite struct LogsFollowTests {
    @Test func followPrintsUntilTheJobEnds() async throws {
        let directory = try TemporaryDirectory(prefix: "slipway-follow")
        defer { directory.remove() }
        try directory.write(
            "slipway.yml",
            """
            version: 1
            jobs:
              slow:
                paths: ["**"]
                run: |
                  for i in 1 2 3 4 5; do echo "line $i"; sleep 0.3; done
            """)
        let process = try slipway.start(["run", "--event", "push", "--changed", "x"], in: directory.path)
        // Wait for the first line, then follow.
        for _ in 0..<100 {
            if let runs = try? FileManager.default.contentsOfDirectory(atPath: "\(directory.path)/.slipway/runs"),
                let run = runs.first,
                FileManager.default.fileExists(atPath: "\(directory.path)/.slipway/runs/\(run)/slow.log")
            {
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let followed = try await slipway.run(["logs", "slow", "--follow"], in: directory.path)
        await process.exited()
        #expect(followed.status == 0, "\(followed.standardError)")
        #expect(followed.standardOutput == "line 1\nline 2\nline 3\nline 4\nline 5\n")
    }
}

/// End-to-end: a run's own mutating jobs, concurrent first runs, and what a run leaves in git.
@Suite struct RunSafetyTests {
    @Test func aRunsChangesToOneEnvironmentTakeTurnsInsteadOfFailingOnItsOwnLock() async throws {
        // dns and flux-bootstrap both need kkp-install and change master, as in examples/kkp.
        let change = """
            echo "start $SLIPWAY_JOB" >> changes.log
            sleep 0.3
            echo "end $SLIPWAY_JOB" >> changes.log
            """
        let directory = try workspace(
            """
            version: 1
            environments: [master]
            jobs:
              kkp-install:
                on: [push]
                paths: ["**"]
                mutates: true
                environment: master
                run: echo installed
              dns:
                on: [push]
                paths: ["**"]
                needs: [kkp-install]
                mutates: true
                environment: master
                run: |
            \(change.split(separator: "\n").map { "      \($0)" }.joined(separator: "\n"))
              flux-bootstrap:
                on: [push]
                paths: ["**"]
                needs: [kkp-install]
                mutates: true
                environment: master
                run: |
            \(change.split(separator: "\n").map { "      \($0)" }.joined(separator: "\n"))
            """)
        defer { directory.remove() }
        let result = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--jobs", "8"], in: directory.path)
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        let lines = try String(contentsOfFile: "\(directory.path)/changes.log", encoding: .utf8)
        // One change to master at a time, in execution order.
        #expect(lines == "start dns\nend dns\nstart flux-bootstrap\nend flux-bootstrap\n")
    }

    @Test func concurrentFirstRunsInAFreshRepositoryAllSucceed() async throws {
        for round in 0..<20 {
            let directory = try workspace(
                "version: 1\njobs:\n  check:\n    paths: [\"**\"]\n    run: echo ok\n")
            defer { directory.remove() }
            let outputs = (0..<3).map { "\(directory.path)/out\($0).txt" }
            let processes = try outputs.map {
                try slipway.start(["run", "--event", "push", "--changed", "x"], in: directory.path, outputFile: $0)
            }
            for process in processes { await process.exited() }
            for (process, output) in zip(processes, outputs) {
                let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                #expect(process.terminationStatus == 0, "round \(round): \(text)")
                #expect(!text.contains("Error:"), "round \(round): \(text)")
            }
            let store = try RunStore(path: StateDirectory(root: directory.path).database)
            #expect(try store.runs(limit: 10).count == 3, "round \(round)")
        }
    }

    @Test func aRunLeavesGitStatusClean() async throws {
        let repository = try await TemporaryGitRepository.create()
        defer { repository.remove() }
        try repository.write("slipway.yml", "version: 1\njobs:\n  check:\n    paths: [\"**\"]\n    run: echo ok\n")
        _ = try await repository.commit("spec")
        let result = try await slipway.run(["run", "--event", "push", "--changed", "x"], in: repository.path)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(FileManager.default.fileExists(atPath: "\(repository.path)/.slipway/slipway.db"))
        #expect(try await repository.git("status", "--porcelain", "--untracked-files=all") == "")
    }

    @Test func aStoreThatCannotBeOpenedIsReportedInSlipwaysOwnWords() async throws {
        let directory = try workspace("version: 1\njobs:\n  check:\n    paths: [\"**\"]\n    run: echo ok\n")
        defer { directory.remove() }
        // A file where the state directory should be.
        try directory.write(".slipway", "not a directory\n")
        let result = try await slipway.run(["run", "--event", "push", "--changed", "x"], in: directory.path)
        #expect(result.status == 1)
        #expect(!result.standardError.contains("Error:"))
        #expect(result.standardError.contains("error: "))
        #expect(result.standardError.contains("note: no job was started"))
        #expect(!result.standardOutput.contains("[check]"))
    }
}

/// End-to-end: env-files as dotenv tools write them, and secrets that span lines.
@Suite struct RunSecretFileTests {
    private let spec = """
        version: 1
        secrets: [DEPLOY_KEY, PIN]
        jobs:
          deploy:
            paths: ["**"]
            secrets: [DEPLOY_KEY, PIN]
            run: |
              printf 'sha256 %s\\n' "$(printf '%s' "$DEPLOY_KEY" | sha256sum | cut -d ' ' -f 1)"
              line=$(printf '%s\\n' "$DEPLOY_KEY" | sed -n 2p)
              printf 'line 2: %s' "${line:0:10}"; sleep 0.1; printf '%s\\n' "${line:10}"
              printf 'base64: %s\\n' "$(printf '%s' "$DEPLOY_KEY" | base64 -w0)"
              echo "pin $PIN"
        """

    @Test func aMultiLineKeyArrivesWholeAndIsMaskedLineByLine() async throws {
        let key = P256.Signing.PrivateKey().pemRepresentation
        #expect(key.split(separator: "\n").count >= 4)
        let directory = try workspace(spec)
        defer { directory.remove() }
        try directory.write(".env", "# deploy credentials\nexport DEPLOY_KEY=\"\(key)\"\nPIN='1234'  # too short\n")
        let result = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--env-file", ".env"], in: directory.path)
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        let digest = SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(result.standardOutput.contains("[deploy] sha256 \(digest)\n"))
        #expect(result.standardOutput.contains("[deploy] line 2: ***\n"))
        #expect(result.standardOutput.contains("[deploy] base64: ***"))
        let secondLine = String(key.split(separator: "\n")[1])
        let written = try logs(in: directory)
        for text in [result.standardOutput, result.standardError, written] {
            #expect(!text.contains(secondLine))
            #expect(!text.contains(String(secondLine.prefix(10))))
        }
        #expect(result.standardError.contains("warning: the value of PIN is only 4 characters long"))
        #expect(!result.standardError.contains("1234"))
    }

    @Test func anUnreadableEnvFileLineIsReportedByNumberWithoutItsValue() async throws {
        let directory = try workspace(spec)
        defer { directory.remove() }
        try directory.write(".env", "PIN=123456\nhunter2-pasted-here\nDEPLOY_KEY=\"-----BEGIN\n")
        let result = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--env-file", ".env"], in: directory.path)
        #expect(result.status == 2)
        #expect(result.standardError.contains("error: .env:2: this line is not NAME=value"))
        #expect(result.standardError.contains("error: .env:3: the value opened with \" here is never closed"))
        #expect(!result.standardError.contains("hunter2") && !result.standardOutput.contains("hunter2"))
        #expect(!result.standardOutput.contains("[deploy]"))
    }
}

/// End-to-end: `slipway cancel`, and what `resume` says about runs it cannot continue.
@Suite struct CancelTests {
    @Test func aPausedRunIsCancelledAndThenCannotBeResumed() async throws {
        let directory = try workspace(
            """
            version: 1
            environments: [{ name: prod, gate: manual }]
            jobs:
              apply:
                on: [push]
                paths: ["**"]
                mutates: true
                environment: prod
                run: echo applying
            """)
        defer { directory.remove() }
        let paused = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--no-input"], in: directory.path)
        #expect(paused.status == 3)
        let cancel = try await slipway.run(["cancel"], in: directory.path, environment: ["USER": "alice"])
        #expect(cancel.status == 0, "\(cancel.standardError)")
        #expect(cancel.standardOutput.hasPrefix("Cancelled run "))
        let status = try await slipway.run(["status"], in: directory.path)
        #expect(status.standardOutput.contains("cancelled"))
        let resume = try await slipway.run(["resume"], in: directory.path)
        #expect(resume.status == 2)
        #expect(resume.standardError.contains("was cancelled, so it cannot be resumed"))
        #expect(!resume.standardOutput.contains("applying"))
        let again = try await slipway.run(["cancel"], in: directory.path)
        #expect(again.status == 0)
        #expect(again.standardOutput.contains("is already cancelled"))
    }

    @Test func aRunningRunIsStoppedThenCancelled() async throws {
        // A name of its own: other tests run `sleep 30` at the same time.
        let marker = "slipway-cancel-\(UUID().uuidString.prefix(8))"
        let directory = try workspace(
            """
            version: 1
            jobs:
              long:
                paths: ["**"]
                run: |
                  echo started > started.txt
                  exec -a \(marker) sleep 30
            """)
        defer { directory.remove() }
        let runner = try slipway.start(["run", "--event", "push", "--changed", "x"], in: directory.path)
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: "\(directory.path)/started.txt") {
            try await Task.sleep(for: .milliseconds(50))
        }
        let cancel = try await slipway.run(["cancel"], in: directory.path)
        #expect(cancel.status == 0, "\(cancel.standardError)")
        await runner.exited(within: .seconds(20))
        #expect(!runner.isRunning)
        #expect(runner.terminationStatus == 130)
        #expect(await Processes.gone(matching: marker))
        let store = try RunStore(path: StateDirectory(root: directory.path).database)
        let run = try #require(try store.runs(limit: 1).first)
        #expect(run.status == .cancelled)
        #expect(try store.attempts(run: run.id).map(\.status) == [.interrupted])
    }

    @Test func pruneRemovesOldFinishedRunsWithTheirFilesAndKeepsPausedOnes() async throws {
        let directory = try workspace(
            """
            version: 1
            environments: [{ name: prod, gate: manual }]
            jobs:
              build:
                paths: ["**"]
                produces: [out.txt]
                run: echo built > out.txt
              apply:
                on: [push]
                paths: ["**"]
                needs: [build]
                mutates: true
                environment: prod
                run: echo applied
            """)
        defer { directory.remove() }
        for _ in 0..<3 {
            let result = try await slipway.run(
                ["run", "--event", "push", "--changed", "x", "--approve", "apply"], in: directory.path)
            #expect(result.status == 0, "\(result.standardError)")
        }
        let paused = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--no-input"], in: directory.path)
        #expect(paused.status == 3)
        let state = StateDirectory(root: directory.path)
        let store = try RunStore(path: state.database)
        let before = try store.runs(limit: 10)
        #expect(before.count == 4)
        // Nothing is old enough yet.
        let early = try await slipway.run(["runs", "--prune", "--keep", "0"], in: directory.path)
        #expect(early.status == 0)
        #expect(early.standardOutput.hasPrefix("Nothing to remove"))
        try await Task.sleep(for: .seconds(1.1))
        let kept = try await slipway.run(["runs", "--prune", "--keep", "2", "--older-than", "1s"], in: directory.path)
        #expect(kept.standardOutput == "Removed 2 runs older than 1s, with their logs and artifacts.\n")
        #expect(try store.runs(limit: 10).map(\.id) == Array(before.map(\.id).prefix(2)))
        let pruned = try await slipway.run(
            ["runs", "--prune", "--keep", "0", "--older-than", "1s"], in: directory.path)
        #expect(pruned.status == 0, "\(pruned.standardError)")
        #expect(pruned.standardOutput == "Removed 1 run older than 1s, with their logs and artifacts.\n")
        // The paused run stays, whatever its age.
        let after = try store.runs(limit: 10)
        #expect(after.map(\.id) == [before[0].id])
        #expect(after.first?.status == .paused)
        for removed in before.dropFirst() {
            #expect(!FileManager.default.fileExists(atPath: state.run(removed.id)))
            #expect(try store.attempts(run: removed.id).isEmpty)
        }
        #expect(FileManager.default.fileExists(atPath: state.run(before[0].id)))
    }

    @Test func resumeSaysSecretsMustBeGivenAgain() async throws {
        let directory = try workspace(
            """
            version: 1
            secrets: [TOKEN]
            jobs:
              build:
                paths: ["**"]
                run: exit 1
              deploy:
                paths: ["**"]
                needs: [build]
                secrets: [TOKEN]
                run: echo deployed
            """)
        defer { directory.remove() }
        let failed = try await slipway.run(
            ["run", "--event", "push", "--changed", "x"], in: directory.path, environment: ["TOKEN": "t0ken-value"])
        #expect(failed.status == 1)
        let resume = try await slipway.run(["resume"], in: directory.path, environment: ["TOKEN": nil])
        #expect(resume.status == 2)
        #expect(resume.standardError.contains("no value for TOKEN (needed by deploy)"))
        #expect(resume.standardError.contains("a resumed run keeps its approvals but not its secrets"))
    }

    @Test func aResumeThatStopsAtACheckLeavesAPausedRunPaused() async throws {
        let directory = try workspace(
            """
            version: 1
            secrets: [TOKEN]
            environments: [{ name: prod, gate: manual }]
            jobs:
              apply:
                on: [push]
                paths: ["**"]
                mutates: true
                environment: prod
                secrets: [TOKEN]
                run: echo applied
            """)
        defer { directory.remove() }
        let paused = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--no-input"], in: directory.path,
            environment: ["TOKEN": "t0ken-v"])
        #expect(paused.status == 3)
        let resume = try await slipway.run(["resume", "--no-input"], in: directory.path, environment: ["TOKEN": nil])
        #expect(resume.status == 2)
        let store = try RunStore(path: StateDirectory(root: directory.path).database)
        #expect(try store.runs(limit: 1).first?.status == .paused)
    }

    @Test func pruneLeavesRunsOfOtherMachinesAndStopsWhatADeadRunnerLeft() async throws {
        let directory = try workspace("version: 1\njobs:\n  check:\n    paths: [\"**\"]\n    run: echo ok\n")
        defer { directory.remove() }
        let store = try RunStore(path: StateDirectory(root: directory.path).database)
        let old = Date(timeIntervalSinceNow: -30 * 86400)
        var elsewhere = try RunRecord(id: "20261001-000000-0001", spec: "slipway.yml", event: "push", jobs: [])
        elsewhere.host = "another-machine"
        elsewhere.startedAt = old
        try store.insert(elsewhere)
        var crashed = try RunRecord(
            id: "20261001-000000-0002", spec: "slipway.yml", event: "push", jobs: [ScheduledJob(id: "check")])
        crashed.startedAt = old
        // A runner that died long ago, with an attempt whose process group is still alive.
        let orphan = try JobExecutor().start(
            ExecutableJob(
                id: "check", script: "sleep 30", directory: directory.path, environment: [:], secretValues: []),
            output: { _ in })
        crashed.pid = orphan.processGroup
        try store.insert(crashed)
        try store.startAttempt(run: crashed.id, job: "check", attempt: 1, processGroup: orphan.processGroup)
        // The record's pid is the orphan's, which is not a slipway: the runner counts as dead.
        let pruned = try await slipway.run(["runs", "--prune", "--keep", "0"], in: directory.path)
        #expect(pruned.status == 0, "\(pruned.standardError)")
        #expect(pruned.standardOutput == "Removed 1 run older than 7d, with their logs and artifacts.\n")
        #expect(await orphan.wait() == 128 + SIGKILL)
        #expect(try store.runs(limit: 10).map(\.id) == [elsewhere.id])
    }

    @Test func resumingASucceededRunSaysThereIsNothingToResume() async throws {
        let directory = try workspace("version: 1\njobs:\n  check:\n    paths: [\"**\"]\n    run: echo ok\n")
        defer { directory.remove() }
        let first = try await slipway.run(["run", "--event", "push", "--changed", "x"], in: directory.path)
        #expect(first.status == 0)
        let resume = try await slipway.run(["resume"], in: directory.path)
        #expect(resume.status == 0)
        #expect(resume.standardOutput.contains("succeeded; there is nothing to resume"))
        #expect(!resume.standardOutput.contains("[check]"))
        let cancel = try await slipway.run(["cancel"], in: directory.path)
        #expect(cancel.status == 2)
        #expect(cancel.standardError.contains("succeeded; there is nothing to cancel"))
    }
}

/// End-to-end: an environment's gate asks once per run, and approvals name a person.
@Suite struct GateTests {
    @Test func anEnvironmentsGateIsAskedOnceForAllOfTheRunsChangesToIt() async throws {
        let directory = try workspace(
            """
            version: 1
            environments: [{ name: prod, gate: manual }]
            jobs:
              terraform-apply:
                on: [push]
                paths: ["**"]
                mutates: true
                environment: prod
                run: echo terraform
              kubeone-apply:
                on: [push]
                paths: ["**"]
                needs: [terraform-apply]
                mutates: true
                environment: prod
                run: echo kubeone
            """)
        defer { directory.remove() }
        try directory.write("gitconfig", "[user]\n\temail = ops@acme.dev\n")
        let git = ["GIT_CONFIG_GLOBAL": "\(directory.path)/gitconfig", "GIT_CONFIG_NOSYSTEM": "1"]
        let dryRun = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--dry-run"], in: directory.path)
        #expect(dryRun.standardOutput.contains("== terraform-apply (manual gate"))
        let paused = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--no-input"], in: directory.path)
        #expect(paused.status == 3)
        #expect(paused.standardError.contains("waiting for approval: terraform-apply — run"))
        #expect(!paused.standardError.contains("kubeone-apply"))
        let approve = try await slipway.run(["approve", "terraform-apply"], in: directory.path, environment: git)
        #expect(approve.status == 0, "\(approve.standardError)")
        #expect(approve.standardOutput.contains("one approval for its gate: terraform-apply, kubeone-apply"))
        let resumed = try await slipway.run(["resume", "--no-input"], in: directory.path)
        #expect(resumed.status == 0, "\(resumed.standardOutput)\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("[terraform-apply] terraform"))
        #expect(resumed.standardOutput.contains("[kubeone-apply] kubeone"))
        let status = try await slipway.run(["status"], in: directory.path)
        #expect(status.standardOutput.contains("approved by ops@acme.dev"))
    }
}

/// End-to-end: `--format json` events, one object per line.
@Suite struct RunJSONTests {
    @Test func aJobsImageIsNamedAsUnusedHere() async throws {
        let directory = try workspace(
            "version: 1\njobs:\n  lint:\n    paths: [\"**\"]\n    image: alpine:3.20\n    run: echo linted\n")
        defer { directory.remove() }
        let dryRun = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--dry-run"], in: directory.path)
        #expect(dryRun.standardOutput.contains("image alpine:3.20 is for CI; here it runs on this machine"))
        let result = try await slipway.run(["run", "--event", "push", "--changed", "x"], in: directory.path)
        #expect(result.status == 0)
        #expect(result.standardError.contains("warning: lint names an image, which slipway run does not use"))
        #expect(result.standardOutput.contains("[lint] linted"))
    }

    @Test func eventsNameTheRunSplitOutputAtLinesAndGiveSecondsAsNumbers() async throws {
        let directory = try workspace(
            """
            version: 1
            jobs:
              build:
                paths: ["**"]
                run: |
                  printf 'one\\ntw'; sleep 0.1; printf 'o\\nthree'
              test:
                paths: ["**"]
                needs: [build]
                run: exit 3
              deploy:
                paths: ["**"]
                needs: [test]
                run: echo never
            """)
        defer { directory.remove() }
        let result = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--format", "json"], in: directory.path)
        #expect(result.status == 1)
        let events = try result.standardOutput.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let first = try #require(events.first)
        #expect(first["event"] as? String == "run_started")
        #expect(first["trigger"] as? String == "push")
        #expect(first["jobs"] as? [String] == ["build", "test", "deploy"])
        let run = try #require(first["run"] as? String)
        #expect(events.allSatisfy { $0["run"] as? String == run })
        let lines = events.filter { $0["event"] as? String == "job_output" }.compactMap { $0["line"] as? String }
        #expect(lines == ["one", "two", "three"])
        let finished = events.filter { $0["event"] as? String == "job_finished" }
        #expect(finished.compactMap { $0["result"] as? String } == ["succeeded", "failed"])
        #expect(finished.allSatisfy { ($0["seconds"] as? NSNumber) != nil && !($0["seconds"] is String) })
        #expect(finished.last?["exit_code"] as? Int == 3)
        let skipped = try #require(events.first { $0["event"] as? String == "job_skipped" })
        #expect(skipped["job"] as? String == "deploy")
        #expect(skipped["upstream"] as? String == "test" && skipped["upstream_result"] as? String == "failed")
        #expect(events.last?["event"] as? String == "run_finished")
        #expect(events.last?["exit_code"] as? Int == 1)
    }
}
