import Foundation
import SlipwayCore
import SlipwayRunner
import SlipwayTesting
import Testing

/// Collects a job's output from the executor's background thread.
private final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private var chunks = 0

    func append(_ chunk: [UInt8]) {
        lock.lock()
        bytes += chunk
        chunks += 1
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

@Suite struct JobExecutorTests {
    private func job(
        _ script: String, in directory: String = "/tmp", environment: [String: String] = [:], secrets: [String] = []
    )
        -> ExecutableJob
    {
        var complete = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        for (key, value) in environment { complete[key] = value }
        return ExecutableJob(
            id: "test", script: script, directory: directory, environment: complete, secretValues: secrets)
    }

    @Test func runsBashStrictlyAndReportsTheExitCode() async throws {
        let collector = Collector()
        let ok = try JobExecutor().start(job("echo out; echo err >&2"), output: collector.append)
        #expect(await ok.wait() == 0)
        #expect(collector.text == "out\nerr\n")
        let unset = try JobExecutor().start(job("echo \"$NOT_SET\""), output: { _ in })
        #expect(await unset.wait() == 1)
        let pipefail = try JobExecutor().start(job("false | true"), output: { _ in })
        #expect(await pipefail.wait() == 1)
        let code = try JobExecutor().start(job("exit 7"), output: { _ in })
        #expect(await code.wait() == 7)
    }

    @Test func runsInTheWorkdirWithExactlyItsEnvironment() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let collector = Collector()
        let running = try JobExecutor().start(
            job(
                "pwd; echo \"$GREETING\"; echo \"${HOME:-no home}\"", in: directory.path,
                environment: ["GREETING": "hello"]),
            output: collector.append)
        #expect(await running.wait() == 0)
        let resolved = URL(fileURLWithPath: directory.path).resolvingSymlinksInPath().path
        #expect(collector.text == "\(resolved)\nhello\nno home\n")
        let missing = try JobExecutor().start(job("true", in: "/does/not/exist"), output: collector.append)
        #expect(await missing.wait() == 1)
    }

    @Test func secretsAreMaskedEvenWhenWrittenInPieces() async throws {
        let collector = Collector()
        let script = "printf 'token=hun'; sleep 0.05; printf 'ter2\\n'; echo hunter2 >&2; printf '%s' \"$TOKEN\""
        let running = try JobExecutor().start(
            job(script, environment: ["TOKEN": "hunter2"], secrets: ["hunter2"]), output: collector.append)
        #expect(await running.wait() == 0)
        #expect(collector.text == "token=***\n***\n***")
        #expect(!collector.text.contains("hunter2"))
    }

    @Test func terminateStopsTheWholeProcessGroup() async throws {
        let marker = "slipway-test-\(UUID().uuidString.prefix(8))"
        // exec -a names the processes so the test can look for them afterwards.
        let named = "bash -c 'exec -a \(marker)-child sleep 300' & exec -a \(marker)-main sleep 301"
        let running = try JobExecutor().start(job(named), output: { _ in })
        try await Task.sleep(for: .milliseconds(300))
        #expect(Processes.alive(matching: marker))
        let started = ContinuousClock.now
        await running.terminate(grace: .milliseconds(500))
        let status = await running.wait()
        #expect(status == 128 + SIGTERM)
        // Far below the 300 s the job sleeps, with room for a loaded machine (5 s was missed by
        // 0.2 s on two busy cores): it stopped because it was told to.
        #expect(ContinuousClock.now - started < .seconds(30))
        try await Task.sleep(for: .milliseconds(100))
        #expect(await Processes.gone(matching: marker), "a process of the job survived")
    }

    @Test func backgroundChildrenDoNotOutliveASucceededJob() async throws {
        let marker = "slipway-bg-\(UUID().uuidString.prefix(8))"
        let running = try JobExecutor().start(
            job("bash -c 'exec -a \(marker) sleep 300' & echo started"), output: { _ in })
        #expect(await running.wait() == 0)
        try await Task.sleep(for: .milliseconds(100))
        #expect(await Processes.gone(matching: marker))
    }
}

@Suite struct JobEnvironmentTests {
    @Test func secretsReachOnlyTheJobsThatListThem() throws {
        let text = """
            version: 1
            env: { A: spec, B: spec }
            secrets: [TOKEN, OTHER]
            environments:
              - name: prod
                env: { B: environment, C: environment }
            jobs:
              deploy:
                on: [push]
                paths: ["**"]
                environment: prod
                mutates: true
                secrets: [TOKEN]
                env: { C: job }
                run: ./deploy.sh
            """
        let pipeline = try #require(SpecValidator.pipeline(text: text).pipeline)
        let instance = try #require(pipeline.instance("deploy"))
        let environment = JobEnvironment.build(
            base: ["PATH": "/bin", "TOKEN": "from-shell", "OTHER": "leaked?"], instance: instance,
            secretValues: ["TOKEN": "t0ken", "OTHER": "other"], runID: "r1", event: .push, summaryPath: "/tmp/s.md")
        #expect(environment["A"] == "spec" && environment["B"] == "environment" && environment["C"] == "job")
        #expect(environment["TOKEN"] == "t0ken")
        #expect(environment["OTHER"] == nil)
        #expect(environment["SLIPWAY_ENVIRONMENT"] == "prod" && environment["SLIPWAY_JOB"] == "deploy")
        #expect(environment["SLIPWAY_EVENT"] == "push" && environment["SLIPWAY_RUN_ID"] == "r1")
        #expect(environment["PATH"] == "/bin")
    }

    @Test func executablesRunInTheirWorkdirAndMaskEveryDeclaredSecret() throws {
        let text = """
            version: 1
            secrets: [TOKEN, OTHER]
            jobs:
              plan:
                paths: ["**"]
                workdir: terraform
                secrets: [TOKEN]
                run: terraform plan
              lint:
                paths: ["**"]
                secrets: [OTHER, TOKEN]
                run: make lint
            """
        let pipeline = try #require(SpecValidator.pipeline(text: text).pipeline)
        let values = ["TOKEN": "t0ken", "OTHER": "other", "UNDECLARED": "x"]
        let executables = JobEnvironment.executables(
            for: ["plan", "lint"], in: pipeline, root: "/repo", base: ["PATH": "/bin"], secretValues: values,
            runID: "r1", event: .pullRequest, summaryDirectory: "/repo/.slipway/runs/r1")
        let plan = try #require(executables["plan"])
        #expect(plan.directory == "/repo/terraform" && plan.script == "terraform plan\n")
        #expect(plan.environment["SLIPWAY_SUMMARY"] == "/repo/.slipway/runs/r1/plan.summary.md")
        #expect(plan.environment["TOKEN"] == "t0ken" && plan.environment["OTHER"] == nil)
        // A job that does not list a secret still masks it: another job may print it into a file it reads.
        #expect(plan.secretValues == ["other", "t0ken"])
        #expect(executables["lint"]?.directory == "/repo")

        let missing = JobEnvironment.missingSecrets(of: ["plan", "lint"], in: pipeline, secretValues: ["OTHER": "o"])
        #expect(
            missing == [
                JobEnvironment.MissingSecret(job: "plan", secret: "TOKEN"),
                JobEnvironment.MissingSecret(job: "lint", secret: "TOKEN"),
            ])
    }

    @Test func envFilesReadLikeDotenv() {
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"
        let parsed = EnvFile.parse(
            """
            # comment
            TOKEN=abc
            export QUOTED="a b"
            SINGLE='x=y $HOME \\n'
              SPACED = value with spaces   # a comment
            HASH=a#b
            EMPTY=
            ESCAPES="line\\nnext \\"q\\" \\$HOME \\\\ \\d"
            KEY="\(key)"
            JSON='{
              "type": "service_account"
            }'
            CRLF=windows\r
            COMMENTED= # set me
            HASHED=#not-a-comment
            TOKEN=later
            """)
        #expect(parsed.problems.isEmpty)
        #expect(
            parsed.values.map(\.name) == [
                "TOKEN", "QUOTED", "SINGLE", "SPACED", "HASH", "EMPTY", "ESCAPES", "KEY", "JSON", "CRLF", "COMMENTED",
                "HASHED", "TOKEN",
            ])
        let values = Dictionary(parsed.values, uniquingKeysWith: { $1 })
        #expect(values["TOKEN"] == "later")
        #expect(values["QUOTED"] == "a b")
        #expect(values["SINGLE"] == "x=y $HOME \\n")
        #expect(values["SPACED"] == "value with spaces")
        #expect(values["HASH"] == "a#b")
        #expect(values["EMPTY"] == "")
        #expect(values["ESCAPES"] == "line\nnext \"q\" $HOME \\ \\d")
        #expect(values["KEY"] == key)
        #expect(values["JSON"] == "{\n  \"type\": \"service_account\"\n}")
        #expect(values["CRLF"] == "windows")
        #expect(values["COMMENTED"] == "")
        #expect(values["HASHED"] == "#not-a-comment")
    }

    @Test func envFileProblemsNameTheLineAndNeverTheValue() {
        let parsed = EnvFile.parse(
            """
            GOOD=1
            s3cr3t-pasted-without-a-name
            1BAD=x
            AFTER="quoted" trailing
            OPEN="never closed
            MORE=lines
            """)
        #expect(
            parsed.problems == [
                .missingEquals(line: 2), .invalidName(line: 3), .textAfterQuote(line: 4),
                .unterminatedQuote(line: 5, quote: "\""),
            ])
        #expect(parsed.values.map(\.name) == ["GOOD"])
        #expect(!parsed.problems.map(\.description).joined().contains("s3cr3t"))
    }

    @Test func multiLineSecretsAreMaskedLineByLineAndBase64Encoded() {
        let key = "-----BEGIN KEY-----\n  MIIEvQIBADANBgkqhkiG9w0B\nshort\n-----END KEY-----\n"
        let forms = SecretMasker.forms(of: key)
        #expect(forms.contains(key))
        #expect(forms.contains("MIIEvQIBADANBgkqhkiG9w0B"))
        #expect(forms.contains("-----BEGIN KEY-----"))
        #expect(!forms.contains("short"))
        #expect(forms.contains(String(Data(key.utf8).base64EncodedString().prefix { $0 != "=" })))
        let masker = SecretMasker(values: forms)
        #expect(masker.mask("line 2: MIIEvQIBADANBgkqhkiG9w0B\n") == "line 2: ***\n")
        #expect(SecretMasker.forms(of: "abc") == ["abc"])
    }
}
