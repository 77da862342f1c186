import Foundation
import SlipwayCore
import SlipwayGenerators
import SlipwayTesting
import Testing

/// The regular expressions the generated scripts use must select exactly what the matcher selects.
@Suite struct PatternRegexTests {
    @Test(arguments: [
        ("terraform/**", "terraform/.+"),
        ("*.md", "(.*/)?[^/]*\\.md(/.+)?"),
        ("a/**/b", "a/(.*/)?b(/.+)?"),
        ("kubeone/", "(.*/)?kubeone/.+"),
        ("**/", ".+/.+"),
        ("v[0-9].tf", "(.*/)?v[0-9]\\.tf(/.+)?"),
        ("x[!a-c]", "(.*/)?x[^/a-c](/.+)?"),
        ("[]^-]", "(.*/)?[]^-](/.+)?"),
    ])
    func translations(pattern: String, expression: String) throws {
        #expect(PatternRegex.expression(for: try GlobPattern(pattern)) == expression)
    }

    @Test func grepAgreesWithTheMatcherOnRandomPatterns() async throws {
        var generator = SeededGenerator(seed: 0xC0FFEE)
        let names = ["a", "b", "tf", ".env", "x.md", "main.tf", "é", "my dir", "[x]", "a-b", "^c", "v1.2"]
        var paths: Set<String> = []
        for _ in 0..<400 {
            paths.insert(generator.path(from: names))
        }
        let sortedPaths = paths.sorted()
        let pieces = [
            "a", "b", "tf", "*", "?", "**", "*.md", "*.tf", "[ab]", "[!a]", "é", ".env", "my dir", "x*", "[]x]",
            "[a-c]",
            "[^-]", "\\[x]", "v1.?", "*-*", "[é-ê]", "^c",
        ]
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("paths.txt", sortedPaths.joined(separator: "\n") + "\n")
        var disagreements: [String] = []
        for _ in 0..<250 {
            let pattern = generator.glob(from: pieces)
            let compiled = try GlobPattern(pattern)
            let expected = sortedPaths.filter { compiled.matches($0) }
            let result = try await run(
                "grep", ["-E", "-x", "-e", PatternRegex.expression(for: compiled), "paths.txt"], in: directory.path,
                environment: ["LC_ALL": "C.UTF-8"])
            try #require(result.status <= 1, "grep failed for \(pattern): \(result.standardError)")
            let actual = result.standardOutput.split(separator: "\n").map(String.init)
            if actual != expected {
                disagreements.append(
                    "\(pattern) → \(PatternRegex.expression(for: compiled)): grep \(actual.count), matcher \(expected.count)"
                )
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(8).joined(separator: "\n"))")
    }
}
