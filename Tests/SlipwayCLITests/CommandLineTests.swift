import Foundation
import SlipwayTesting
import Testing

/// End-to-end: help, version, usage errors, colour, graph and schema.
@Suite struct CommandLineTests {
    @Test(arguments: ["init", "validate", "plan", "run", "marks", "generate", "graph", "schema"])
    func everyCommandHasHelpWithExamples(command: String) async throws {
        let result = try await slipway.run([command, "--help"], in: repositoryRoot)
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("USAGE: slipway \(command)"))
        #expect(result.standardOutput.contains("slipway \(command)"))
        #expect(result.standardOutput.contains(command == "schema" ? "yaml-language-server" : "Examples:"))
    }

    @Test(arguments: [
        "init", "validate", "plan", "run", "status", "runs", "logs", "approve", "resume", "cancel", "marks", "generate",
        "graph", "schema",
    ])
    func helpFitsAnEightyColumnTerminalWithOneDefaultPerOption(command: String) async throws {
        let result = try await slipway.run(["help", command], in: repositoryRoot)
        #expect(result.status == 0)
        // ArgumentParser wraps at 80 columns; a discussion line wider than that breaks mid-sentence.
        let overview = result.standardOutput.components(separatedBy: "USAGE:")[0]
        let wide = overview.split(separator: "\n").filter { $0.count > 80 }
        #expect(wide.isEmpty, "\(wide)")
        for line in result.standardOutput.split(separator: "\n") {
            #expect(line.components(separatedBy: "(default:").count <= 2, "\(line)")
        }
        if command == "run" {
            #expect(result.standardOutput.contains("(default: the number of"))
            #expect(!result.standardOutput.contains("(default: \(ProcessInfo.processInfo.activeProcessorCount))"))
        }
    }

    @Test func helpForAnUnknownCommandIsAnError() async throws {
        let result = try await slipway.run(["help", "rn"], in: repositoryRoot)
        #expect(result.status == 2)
        #expect(result.standardError.contains("error: slipway has no command 'rn'"))
        #expect(result.standardError.contains("did you mean 'run'?"))
        #expect(result.standardOutput.isEmpty)
    }

    @Test func rootHelpListsExitCodes() async throws {
        let result = try await slipway.run(["--help"], in: repositoryRoot)
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("2 bad usage or invalid spec"))
    }

    @Test func versionPrintsTheVersion() async throws {
        let result = try await slipway.run(["--version"], in: repositoryRoot)
        #expect(result.status == 0)
        #expect(result.standardOutput == "0.1.0-dev\n")
    }

    @Test(arguments: [
        ["plan", "--event", "deploy"],
        ["plan", "--base", "main", "--before", "HEAD^"],
        ["plan", "--event", "push", "--base", "main"],
        ["plan", "--changed", "a", "--base", "main"],
        ["graph", "--format", "png"],
        ["frobnicate"],
    ])
    func badUsageExits2(arguments: [String]) async throws {
        let result = try await slipway.run(arguments + ["--spec", "examples/kkp/slipway.yml"], in: repositoryRoot)
        #expect(result.status == 2, "\(result.standardError)")
        // Slipway's own format, never ArgumentParser's "Error:".
        #expect(result.standardError.hasPrefix("error: "), "\(result.standardError)")
        #expect(!result.standardError.contains("Error:"))
        #expect(result.standardError.contains("note: see 'slipway"))
    }

    /// Colour appears only on a terminal, and never with NO_COLOR or --no-color; `script`
    /// gives the binary a real pseudo-terminal.
    @Test func colourOnlyOnATerminalAndNeverWhenAsked() async throws {
        let script = try requireTool("script")
        let spec = "Tests/Fixtures/invalid-spec/slipway.yml"
        func viaTerminal(_ command: String, noColor: Bool) async throws -> String {
            let runner = SlipwayBinary(path: script)
            let result = try await runner.run(
                ["-qec", command, "/dev/null"], in: repositoryRoot, environment: noColor ? ["NO_COLOR": "1"] : [:])
            return result.standardOutput
        }
        let escape = "\u{1B}["
        #expect(try await viaTerminal("\(slipway.path) validate --spec \(spec)", noColor: false).contains(escape))
        #expect(!(try await viaTerminal("\(slipway.path) validate --spec \(spec)", noColor: true).contains(escape)))
        #expect(
            !(try await viaTerminal("\(slipway.path) validate --no-color --spec \(spec)", noColor: false).contains(
                escape)))
        let piped = try await slipway.run(["validate", "--spec", spec], in: repositoryRoot)
        #expect(!piped.standardError.contains(escape))
    }

    @Test(arguments: ["mermaid", "dot"])
    func graphSnapshots(format: String) async throws {
        for example in ["kkp", "kops"] {
            let result = try await slipway.run(
                ["graph", "--spec", "examples/\(example)/slipway.yml", "--format", format], in: repositoryRoot)
            #expect(result.status == 0, "\(result.standardError)")
            expectSnapshot(result.standardOutput, fixture: "graph-\(example)", name: "graph.\(format)")
        }
    }

    @Test func schemaAcceptsTheExamplesAndRejectsTypicalMistakes() async throws {
        let validator = try requireTool("check-jsonschema")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let schema = try await slipway.run(["schema"], in: repositoryRoot)
        #expect(schema.status == 0)
        try directory.write("schema.json", schema.standardOutput)
        let checker = SlipwayBinary(path: validator)
        let valid = try await checker.run(
            ["--schemafile", "\(directory.path)/schema.json", "examples/kkp/slipway.yml", "examples/kops/slipway.yml"],
            in: repositoryRoot)
        #expect(valid.status == 0, "\(valid.standardOutput)\(valid.standardError)")
        let invalidDirectory = "\(Snapshot.fixturesDirectory)/schema-invalid"
        let invalid = try FileManager.default.contentsOfDirectory(atPath: invalidDirectory).sorted()
        #expect(invalid.count >= 8)
        for file in invalid {
            let result = try await checker.run(
                ["--schemafile", "\(directory.path)/schema.json", "\(invalidDirectory)/\(file)"], in: repositoryRoot)
            #expect(result.status == 1, "the schema accepted \(file)")
            // The schema and `validate` agree: every file the schema rejects is invalid.
            let validate = try await slipway.run(
                ["validate", "--spec", "\(invalidDirectory)/\(file)"], in: repositoryRoot)
            #expect(validate.status == 2, "validate accepted \(file)")
        }
    }
}

/// End-to-end: `slipway generate` writes, skips unchanged files, and `--check` guards CI.
@Suite struct GenerateCommandTests {
    private func repository() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let spec = try String(contentsOfFile: "\(repositoryRoot)/examples/kkp/slipway.yml", encoding: .utf8)
        try directory.write(
            "slipway.yml", spec.replacingOccurrences(of: "platforms: [github, bitbucket]", with: "platforms: [github]"))
        return directory
    }

    @Test func writesThenLeavesUnchangedFilesAlone() async throws {
        let directory = try repository()
        defer { directory.remove() }
        let first = try await slipway.run(["generate"], in: directory.path)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput == "created   .github/workflows/slipway.yml\n")
        let path = "\(directory.path)/.github/workflows/slipway.yml"
        let before = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        let second = try await slipway.run(["generate"], in: directory.path)
        #expect(second.standardOutput == "unchanged .github/workflows/slipway.yml\n")
        let after = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        #expect(before == after)
        let golden = try String(contentsOfFile: Snapshot.path("github-kkp", "slipway.yml"), encoding: .utf8)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == golden)
    }

    @Test func checkExits1WithADiffWhenStaleAnd0WhenCurrent() async throws {
        let directory = try repository()
        defer { directory.remove() }
        let missing = try await slipway.run(["generate", "--check"], in: directory.path)
        #expect(missing.status == 1)
        #expect(missing.standardOutput.hasPrefix("--- /dev/null\n+++ b/.github/workflows/slipway.yml\n"))
        #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/.github"))
        _ = try await slipway.run(["generate"], in: directory.path)
        let current = try await slipway.run(["generate", "--check"], in: directory.path)
        #expect(current.status == 0, "\(current.standardOutput)\(current.standardError)")
        let spec = try String(contentsOfFile: "\(directory.path)/slipway.yml", encoding: .utf8)
        try directory.write("slipway.yml", spec.replacingOccurrences(of: "timeout: 45m", with: "timeout: 50m"))
        let stale = try await slipway.run(["generate", "--check"], in: directory.path)
        #expect(stale.status == 1)
        #expect(stale.standardOutput.contains("-    timeout-minutes: 45\n+    timeout-minutes: 50\n"))
        #expect(stale.standardError.contains("error: .github/workflows/slipway.yml is out of date with slipway.yml"))
        #expect(stale.standardError.contains("run `slipway generate` and commit the result"))
    }

    @Test func refusalsAreLocatedAndExit2() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(
            "slipway.yml",
            "version: 1\nplatforms: [github]\njobs:\n  greet:\n    paths: [\"**\"]\n    run: echo ${{ github.actor }}\n"
        )
        let result = try await slipway.run(["generate"], in: directory.path)
        #expect(result.status == 2)
        #expect(result.standardError.contains("slipway.yml:6:10: error: github: job 'greet': 'run' contains '${{'"))
        #expect(result.standardError.contains("note: pass values through 'env'"))
    }

    @Test func noPlatformSaysWhereToAddOne() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("slipway.yml", "version: 1\njobs:\n  a:\n    paths: [\"**\"]\n    run: make\n")
        let result = try await slipway.run(["generate"], in: directory.path)
        #expect(result.status == 2)
        #expect(result.standardError.contains("error: no platform to generate for"))
        #expect(result.standardError.contains("add 'platforms: [github]'"))
    }
}

/// End-to-end: every platform from the command line.
@Suite struct GeneratePlatformsTests {
    @Test func theExamplesGenerateForTheirPlatforms() async throws {
        for (example, files) in [
            ("kkp", [".github/workflows/slipway.yml", "bitbucket-pipelines.yml"]),
            ("kops", [".gitlab-ci.yml", ".gitlab/slipway/jobs.yml", ".gitlab/slipway/detect.sh"]),
        ] {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let result = try await slipway.run(
                ["generate", "--spec", "examples/\(example)/slipway.yml", "--output-dir", directory.path],
                in: repositoryRoot)
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == files.map { "created   \($0)\n" }.joined())
            for file in files { #expect(FileManager.default.fileExists(atPath: "\(directory.path)/\(file)")) }
        }
    }

    /// GitLab's detection job evaluates patterns as the planner does, so negated ones generate.
    @Test func gitlabGeneratesNegatedPatternsAndChecksThemCurrent() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let arguments = [
            "generate", "--spec", "examples/kkp/slipway.yml", "--platform", "gitlab", "--output-dir", directory.path,
        ]
        let result = try await slipway.run(arguments, in: repositoryRoot)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(
            result.standardOutput
                == "created   .gitlab-ci.yml\ncreated   .gitlab/slipway/jobs.yml\ncreated   .gitlab/slipway/detect.sh\n"
        )
        let check = try await slipway.run(arguments + ["--check"], in: repositoryRoot)
        #expect(check.status == 0, "\(check.standardError)")
        #expect(check.standardOutput == "3 generated files are up to date.\n")
    }
}
