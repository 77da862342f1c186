import Foundation
import SlipwayTesting
import Testing

/// End-to-end: help, version, usage errors, colour, graph and schema.
@Suite struct CommandLineTests {
    @Test(arguments: ["validate", "plan", "graph", "schema"])
    func everyCommandHasHelpWithExamples(command: String) async throws {
        let result = try await slipway.run([command, "--help"], in: repositoryRoot)
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("USAGE: slipway \(command)"))
        #expect(result.standardOutput.contains("slipway \(command)"))
        #expect(result.standardOutput.contains(command == "schema" ? "yaml-language-server" : "Examples:"))
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
        #expect(result.standardError.contains("Error:") || result.standardError.contains("error:"))
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
