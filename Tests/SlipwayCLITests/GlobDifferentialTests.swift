import Foundation
import SlipwayCore
import SlipwayTesting
import Testing

/// Slipway's matcher against Python's pathspec on thousands of random patterns and paths: the
/// two must agree on every one (pathspec implements git's wildmatch rules independently).
@Suite struct GlobDifferentialTests {
    @Test func agreesWithPathspecOnRandomCases() async throws {
        let python = try requireTool("python3")
        var generator = SeededGenerator(seed: 0x9a7e)
        let names = ["a", "b", "tf", ".env", "x.md", "main.tf", "é", "my dir", "[x]"]
        let patternPieces = [
            "a", "b", "tf", "*", "?", "**", "*.md", "*.tf", "[ab]", "[!a]", "é", ".env", "my dir", "x*",
        ]
        var cases: [(patterns: [String], path: String)] = []
        for _ in 0..<3000 {
            let path = generator.path(from: names)
            let count = Int.random(in: 1...3, using: &generator)
            let patterns = (0..<count).map { index -> String in
                // pathspec lets a trailing `**/` match files, which git does not (see the unit
                // tests, checked against `git check-ignore`); leave that case to them.
                var pattern = generator.glob(from: patternPieces) { !$0.hasSuffix("**") }
                if index > 0, Bool.random(using: &generator) { pattern = "!" + pattern }
                return pattern
            }
            cases.append((patterns, path))
        }
        let input = try JSONSerialization.data(withJSONObject: cases.map { [$0.patterns, $0.path] as [Any] })
        let oracle = SlipwayBinary(path: python)
        let result = try await oracle.run(
            ["\(repositoryRoot)/scripts/pathspec_oracle.py"], in: repositoryRoot,
            input: String(decoding: input, as: UTF8.self))
        try #require(
            result.status == 0, "pathspec oracle failed (scripts/test.sh installs pathspec): \(result.standardError)")
        let answers = try JSONDecoder().decode([Bool].self, from: Data(result.standardOutput.utf8))
        try #require(answers.count == cases.count)
        var disagreements: [String] = []
        for (example, expected) in zip(cases, answers) {
            let ours = try PatternList(example.patterns).matches(example.path)
            if ours != expected {
                disagreements.append("\(example.patterns) on '\(example.path)': pathspec \(expected), slipway \(ours)")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10).joined(separator: "\n"))")
    }
}
