import Foundation
import SlipwayTesting
import Testing

@Suite struct ValidateCommandTests {
    @Test(arguments: ["examples/kkp/slipway.yml", "examples/kops/slipway.yml"])
    func examplesAreValid(spec: String) async throws {
        let result = try await slipway.run(["validate", "--spec", spec], in: repositoryRoot)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("\(spec) is valid: "))
        // The KKP example pins kubeone and kubermatic-installer without digests: it was written
        // offline, and its comment says `slipway tools lock` fills them in.
        let warnings = result.standardError.split(separator: "\n").filter { $0.contains(": warning: ") }
        let unlocked = spec.contains("kkp") ? ["kubeone", "kubermatic-installer"] : []
        #expect(warnings.count == unlocked.count, "\(result.standardError)")
        for (warning, tool) in zip(warnings, unlocked) {
            #expect(warning.contains("warning: tool '\(tool)' has no SHA-256 pinned"))
        }
    }

    @Test func reportsEveryProblemCompilerStyleAndExits2() async throws {
        let result = try await slipway.run(
            ["validate", "--spec", "Tests/Fixtures/invalid-spec/slipway.yml"], in: repositoryRoot)
        #expect(result.status == 2)
        #expect(result.standardOutput.isEmpty)
        #expect(
            result.standardError.contains(
                "Tests/Fixtures/invalid-spec/slipway.yml:22:13: error: job 'kubeone-apply' needs unknown job 'terraform-aply'\n"
            ))
        #expect(result.standardError.contains("note: did you mean 'terraform-apply'?"))
        expectSnapshot(result.standardError, fixture: "invalid-spec", name: "validate.stderr")
    }

    @Test func jsonDiagnosticsForEditors() async throws {
        let result = try await slipway.run(
            ["validate", "--spec", "Tests/Fixtures/invalid-spec/slipway.yml", "--format", "json"], in: repositoryRoot)
        #expect(result.status == 2)
        struct Entry: Decodable {
            let severity: String
            let line: Int?
            let column: Int?
            let message: String
            let notes: [String]
        }
        let entries = try JSONDecoder().decode([Entry].self, from: Data(result.standardOutput.utf8))
        let need = try #require(entries.first { $0.message.contains("terraform-aply") })
        #expect(need.severity == "error" && need.line == 22 && need.column == 13)
        #expect(need.notes == ["did you mean 'terraform-apply'?"])
    }

    @Test func aMissingSpecSaysWhatToDo() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await slipway.run(["validate"], in: directory.path)
        #expect(result.status == 2)
        #expect(result.standardError.contains("error: cannot read 'slipway.yml': no such file"))
        #expect(result.standardError.contains("note: pass the spec with --spec FILE"))
    }

    @Test func warningsAloneExit0() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("slipway.yml", "version: 1\njobs:\n  lint:\n    run: make lint\n")
        let result = try await slipway.run(["validate"], in: directory.path)
        #expect(result.status == 0)
        #expect(result.standardError.contains("slipway.yml:3:3: warning: job 'lint' has no 'paths'"))
        #expect(result.standardOutput == "slipway.yml is valid: 1 job.\n")
    }
}

/// The README's example spec must stay valid.
@Suite struct DocumentationTests {
    @Test func theReadmeExampleIsAValidSpec() async throws {
        let readme = try String(contentsOfFile: "\(repositoryRoot)/README.md", encoding: .utf8)
        let start = try #require(readme.range(of: "```yaml\n"))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("slipway.yml", String(readme[start.upperBound..<end.lowerBound]))
        let result = try await slipway.run(["validate"], in: directory.path)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "slipway.yml is valid: 3 jobs.\n")
    }
}
