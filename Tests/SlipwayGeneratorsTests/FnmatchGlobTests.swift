import Foundation
import SlipwayCore
import SlipwayGenerators
import SlipwayTesting
import Testing

private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// GitLab's `rules:changes` globs, evaluated by Ruby's `File.fnmatch?` with GitLab's flags, must
/// match exactly what the matcher matches.
@Suite struct FnmatchGlobTests {
    @Test(arguments: [
        ("terraform/**", ["terraform/**/*"]),
        ("*.md", ["**/*.md", "**/*.md/**/*"]),
        ("/docs", ["docs", "docs/**/*"]),
        ("kubeone/", ["**/kubeone/**/*"]),
        ("a/**/b", ["a/**/b", "a/**/b/**/*"]),
        ("**/", ["*/**/*"]),
        ("{x}.tf", ["**/\\{x\\}.tf", "**/\\{x\\}.tf/**/*"]),
    ])
    func translations(pattern: String, globs: [String]) throws {
        #expect(FnmatchGlob.globs(for: try GlobPattern(pattern)) == globs)
    }

    @Test func rubyFnmatchAgreesWithTheMatcherOnRandomPatterns() async throws {
        var generator = SeededGenerator(seed: 0xF7A7C4)
        let names = ["a", "b", "tf", ".env", "x.md", "main.tf", "é", "my dir", "[x]", "{a,b}", "a-b", "v1.2"]
        let pieces = [
            "a", "b", "tf", "*", "?", "**", "*.md", "*.tf", "[ab]", "[!a]", "é", ".env", "my dir", "x*", "[a-c]",
            "\\[x]",
            "{a,b}", "v1.?", "*-*", "[é-ê]", ".*",
        ]
        var cases: [(globs: [String], path: String, expected: Bool, pattern: String)] = []
        for _ in 0..<400 {
            let pattern = generator.glob(from: pieces)
            let compiled = try GlobPattern(pattern)
            for _ in 0..<10 {
                let path = generator.path(from: names)
                cases.append((FnmatchGlob.globs(for: compiled), path, compiled.matches(path), pattern))
            }
        }
        let input = try JSONSerialization.data(withJSONObject: cases.map { [$0.globs, $0.path] as [Any] })
        let result = try await run(
            "ruby", ["\(repositoryRoot)/scripts/fnmatch_oracle.rb"], in: repositoryRoot,
            input: String(decoding: input, as: UTF8.self))
        try #require(result.status == 0, "ruby failed (scripts/test.sh installs it): \(result.standardError)")
        let answers = try JSONDecoder().decode([Bool].self, from: Data(result.standardOutput.utf8))
        try #require(answers.count == cases.count)
        let disagreements = zip(cases, answers).filter { $0.0.expected != $0.1 }.map {
            "\($0.0.pattern) → \($0.0.globs) on '\($0.0.path)': matcher \($0.0.expected), fnmatch \($0.1)"
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10).joined(separator: "\n"))")
        #expect(answers.filter { $0 }.count > 200, "too few matches to be a meaningful test")
    }
}
