import Foundation
import SlipwayTesting
import Testing
import Yams

@testable import SlipwayGenerators

private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// Strings YAML parsers are known to read as something else when written plain.
private let tricky = [
    "yes", "no", "on", "off", "y", "n", "Yes", "NO", "true", "False", "null", "Null", "~", "", " ", "1.10", "0x1F",
    "0o17", "017", "0b101", "1_000", "1e3", "-1", "+1", ".5", ".inf", "-.inf", ".NaN", "12:30", "1:20:30",
    "2001-12-14", "2001-12-14t21:59:43.10-05:00", "=", "<<", "a: b", "a:b", "x:", ":x", "-x", "- x", "-", "--",
    "---", "...", "#x", "x #y", "x#y", "? x", "?x", "@x", "`x", "!x", "!!str", "&x", "*x", "%x", "|x", ">x",
    "'x", "\"x", "[x]", "{x}", "{a: 1}", ",x", "x,", "a, b", " x", "x ", "a\tb", "\t", "a\nb", "\n", "a\r\nb",
    "é", "日本", "✓ done", "\u{7F}", "\u{85}", "x\u{85}y", "\u{2028}", "a\u{2029}b", "\u{A0}", "\u{FEFF}x",
    "\u{80}", "\u{9F}x", "\u{1F600}", "\u{FFFE}", "\\", "\\n", "C:\\dir", "'", "''", "\"", "${{ x }}", "$HOME",
    "%{x}", "0", "00", "0.", "1.", "+.inf", "0x", "1e", "e1", "NaN", "Infinity", "nil", "None", "NULL", "N",
]

/// Pieces random strings are made of: the characters and words that change how YAML reads a scalar.
private let pieces = [
    "a", "b", "x", "1", "0", ".", "-", "+", "_", ":", " ", ": ", " #", "#", "?", ",", "[", "]", "{", "}", "!",
    "&", "*", "|", ">", "'", "\"", "%", "@", "`", "\\", "\t", "\n", "~", "=", "<<", "yes", "no", "null", "on",
    "true", "e", "x1F", "0x", "é", "\u{85}", "\u{2028}", "\u{7F}", "\u{9F}", "\u{FEFF}", "\u{1F600}", "$", "${{",
]

/// Builds a document of `key: scalar` lines with the writer.
private func document(_ values: [String]) -> String {
    let yaml = YAMLWriter()
    for (index, value) in values.enumerated() { yaml.entry("k\(index)", string: value) }
    return yaml.text
}

/// The writer's structure and quoting, read back by the parsers the platforms use.
@Suite struct YAMLWriterTests {
    @Test func nestingByClosuresGivesTheIntendedTree() throws {
        let yaml = YAMLWriter()
        yaml.comment("a header\n\nwith a blank comment line")
        yaml.nest("jobs", comment: "all of them") {
            yaml.nest("plan") {
                yaml.entry("runs-on", "ubuntu-latest")
                yaml.nest("steps") {
                    yaml.item {
                        yaml.entry("uses", "actions/checkout@v4")
                        yaml.nest("with") { yaml.entry("fetch-depth", "0") }
                    }
                    yaml.item {
                        yaml.nest("step") {
                            yaml.entry("name", string: "yes")
                            yaml.nest("script") {
                                yaml.literalItem("echo one\n  indented\n")
                                yaml.item("bash run.sh")
                            }
                        }
                    }
                }
                yaml.literal("run", "make\n")
            }
        }
        let text = yaml.text
        #expect(
            text == """
                # a header
                #
                # with a blank comment line
                jobs:  # all of them
                  plan:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/checkout@v4
                        with:
                          fetch-depth: 0
                      - step:
                          name: "yes"
                          script:
                            - |
                              echo one
                                indented
                            - bash run.sh
                    run: |
                      make

                """)
        let parsed = try #require(try Yams.load(yaml: text) as? [String: Any])
        let plan = try #require((parsed["jobs"] as? [String: Any])?["plan"] as? [String: Any])
        let steps = try #require(plan["steps"] as? [[String: Any]])
        #expect((steps[0]["with"] as? [String: Any])?["fetch-depth"] as? Int == 0)
        let step = try #require(steps[1]["step"] as? [String: Any])
        #expect(step["name"] as? String == "yes")
        #expect(step["script"] as? [String] == ["echo one\n  indented\n", "bash run.sh"])
        #expect(plan["run"] as? String == "make\n")
    }

    @Test func scalarsReadBackAsTheSameStringInEveryParser() async throws {
        var generator = SeededGenerator(seed: 0x9A_3112)
        var values = tricky
        for _ in 0..<3000 {
            values.append(
                (0..<Int.random(in: 1...5, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
                    .joined())
        }
        let text = document(values)

        // Yams (libyaml), as our own tests and the loader read YAML. Yams drops a byte-order mark
        // from every string it builds, even an escaped one, so those values are left to the others.
        let yams = try #require(try Yams.load(yaml: text) as? [String: Any])
        let misread = values.enumerated().filter {
            !$0.element.unicodeScalars.contains("\u{FEFF}") && yams["k\($0.offset)"] as? String != $0.element
        }
        #expect(
            misread.isEmpty,
            "Yams misreads: \(misread.prefix(10).map { "\($0.element.debugDescription) as \(YAMLWriter.scalar($0.element))" })"
        )

        // Ruby's Psych (GitLab parses with it) and PyYAML (YAML 1.1, the strictest common reading).
        let result = try await run(
            "\(repositoryRoot)/scripts/yaml_scalars_oracle.sh", [], in: repositoryRoot, input: text)
        try #require(
            result.status == 0,
            "the YAML oracles failed (scripts/test.sh installs ruby and PyYAML): \(result.standardError)")
        let parsers = result.standardOutput.split(separator: "\n")
        try #require(parsers.count == 2)
        for (name, line) in zip(["Psych", "PyYAML"], parsers) {
            let entries = try JSONDecoder().decode([[String]].self, from: Data(line.utf8))
            try #require(entries.count == values.count, "\(name) read \(entries.count) keys")
            let wrong = entries.filter { entry in
                let index = Int(entry[0].dropFirst())!
                return !["String", "str"].contains(entry[1]) || entry[2] != values[index]
            }
            #expect(
                wrong.isEmpty,
                "\(name) misreads: \(wrong.prefix(10).map { "\(values[Int($0[0].dropFirst())!].debugDescription) written \(YAMLWriter.scalar(values[Int($0[0].dropFirst())!])) read as \($0[1]) \($0[2].debugDescription)" })"
            )
        }
    }

    @Test func literalBlocksReadBackAsTheirText() async throws {
        var generator = SeededGenerator(seed: 0x11_7E4A)
        let lineStarts = ["", " ", "  ", "    ", "\t"]
        let words = [
            "echo hi", "# comment", "- item", "key: value", "'quoted'", "\"dq\"", "|", ">", "---", "...", "é",
            "trailing  ", "tab\t", "", "a\rb", "\u{85}",
        ]
        var texts = ["", "\n", "\n\n", "x", "x\n", "x\n\n", "\n  indented after a blank line\n", "  first\nsecond\n"]
        for _ in 0..<400 {
            let lines = (0..<Int.random(in: 1...6, using: &generator)).map { _ -> String in
                Bool.random(using: &generator)
                    ? "" : lineStarts.randomElement(using: &generator)! + words.randomElement(using: &generator)!
            }
            texts.append(
                lines.joined(separator: "\n") + String(repeating: "\n", count: Int.random(in: 0...2, using: &generator))
            )
        }
        let yaml = YAMLWriter()
        yaml.nest("scripts") {
            for (index, text) in texts.enumerated() {
                yaml.literal("k\(index)", text)
                yaml.nest("list\(index)") { yaml.literalItem(text) }
            }
        }
        let parsed = try #require((try Yams.load(yaml: yaml.text) as? [String: Any])?["scripts"] as? [String: Any])
        let wrong = texts.enumerated().filter { index, text in
            parsed["k\(index)"] as? String != text || (parsed["list\(index)"] as? [String])?.first != text
        }
        #expect(wrong.isEmpty, "misread literal blocks: \(wrong.prefix(5).map(\.element.debugDescription))")

        // The same blocks at the top level, through Psych and PyYAML.
        let flat = YAMLWriter()
        for (index, text) in texts.enumerated() { flat.literal("k\(index)", text) }
        let result = try await run(
            "\(repositoryRoot)/scripts/yaml_scalars_oracle.sh", [], in: repositoryRoot, input: flat.text)
        try #require(result.status == 0, "the YAML oracles failed: \(result.standardError)")
        for (name, line) in zip(["Psych", "PyYAML"], result.standardOutput.split(separator: "\n")) {
            let entries = try JSONDecoder().decode([[String]].self, from: Data(line.utf8))
            let misread = entries.filter {
                $0[1] != "String" && $0[1] != "str" || $0[2] != texts[Int($0[0].dropFirst())!]
            }
            #expect(entries.count == texts.count && misread.isEmpty, "\(name) misreads \(misread.prefix(5))")
        }
    }

    /// A long expression or list written with `wrapped` reads back as what was given: GitHub sees
    /// the same `if` and `needs`, and no line is past yamllint's limit.
    @Test func wrappedLongValuesReadBackUnchanged() throws {
        let expression =
            "${{ !cancelled() && "
            + (0..<12).map { "needs.changes.outputs['job-\($0)'] == 'true'" }
            .joined(separator: " && ") + " }}"
        let words = "${{ " + (0..<40).map { "word\($0)" }.joined(separator: " ") + " }}"
        let list = "[" + (0..<30).map { "some-long-job-name-\($0)" }.joined(separator: ", ") + "]"
        let yaml = YAMLWriter()
        yaml.nest("job") {
            yaml.wrapped("if", expression)
            yaml.wrapped("other", words)
            yaml.wrapped("needs", list)
            yaml.wrapped("short", "[a, b]")
        }
        let job = try #require((try Yams.load(yaml: yaml.text) as? [String: Any])?["job"] as? [String: Any])
        #expect(job["if"] as? String == expression)
        #expect(job["other"] as? String == words)
        #expect(job["needs"] as? [String] == (0..<30).map { "some-long-job-name-\($0)" })
        #expect(job["short"] as? [String] == ["a", "b"])
        #expect(yaml.text.split(separator: "\n").allSatisfy { $0.count <= 200 })
        #expect(yaml.text.contains("short: [a, b]"))
    }

    /// A comment line too long for yamllint is wrapped; the words stay in order, none is lost.
    @Test func longCommentsWrap() {
        let names = (0..<40).map { "SECRET_NUMBER_\($0)" }
        let text = "Variables to set: " + names.joined(separator: ", ")
        let yaml = YAMLWriter()
        yaml.comment("short\n" + text)
        let lines = yaml.text.split(separator: "\n").map(String.init)
        #expect(lines.first == "# short")
        #expect(lines.allSatisfy { $0.count <= 120 && $0.hasPrefix("#") })
        let words = lines.dropFirst().flatMap { $0.dropFirst().split(separator: " ").map(String.init) }
        #expect(words.joined(separator: " ") == text)
    }
}
