import SlipwayCore

/// Writes the block structure of a generated CI file, with the comments and literal blocks that
/// Yams' emitter cannot write: nesting by closures, never by indentation numbers.
///
/// Generated files are read by people and diffed in review, so they come out in one fixed,
/// readable layout, byte for byte the same for the same pipeline. `scalar` quotes exactly when a
/// YAML 1.1 or 1.2 parser would read a plain scalar as something else.
///
/// ```swift
/// let yaml = YAMLWriter()
/// yaml.nest("jobs") {
///     yaml.nest("plan") {
///         yaml.entry("runs-on", "ubuntu-latest")
///         yaml.nest("steps") {
///             yaml.item { yaml.entry("uses", "actions/checkout@…") }
///         }
///     }
/// }
/// ```
final class YAMLWriter {
    private var lines: [String] = []
    private var depth = 0
    /// The next line opens a list item: it gets the `- ` in the two columns before `depth`.
    private var opensItem = false

    /// Creates an empty document.
    init() {}

    /// The document, ending with one newline.
    var text: String { lines.joined(separator: "\n") + "\n" }

    /// An empty line between sections.
    func blank() {
        precondition(!opensItem, "a list item cannot start with a blank line")
        lines.append("")
    }

    /// `# text`, one comment line per line of `text`.
    ///
    /// A line past 200 columns (a long list of secrets to create) is wrapped at 120, its
    /// continuation lines indented under its start.
    func comment(_ text: String) {
        precondition(!opensItem, "a list item cannot start with a comment")
        for part in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard depth + 2 + part.count > 200 else {
                emit(part.isEmpty ? "#" : "# " + part)
                continue
            }
            var line = "#"
            for word in part.split(separator: " ", omittingEmptySubsequences: false) {
                if line.count > 2, depth + line.count + 1 + word.count > 120 {
                    emit(line)
                    line = "#  "
                }
                line += " " + word
            }
            emit(line)
        }
    }

    /// `key: value`, with `value` written as it is (a number, a flow collection, an expression);
    /// `comment` follows on the same line.
    func entry(_ key: String, _ value: String, comment: String? = nil) {
        emit("\(key): \(value)" + Self.trailing(comment))
    }

    /// `key: value` for an expression or a flow list that may be long: past 200 columns a flow list
    /// (`[a, b]`) becomes a block sequence, and anything else a folded block (`>-`), which YAML
    /// reads back as the same one line.
    func wrapped(_ key: String, _ value: String) {
        guard depth + key.count + 2 + value.count > 200 else { return entry(key, value) }
        if value.hasPrefix("["), value.hasSuffix("]"), !value.dropFirst().contains("[") {
            nest(key) {
                for item in value.dropFirst().dropLast().components(separatedBy: ", ") { self.item(item) }
            }
            return
        }
        // Folding turns each line break into one space, so only single spaces may be broken at.
        guard !value.contains("  "), !value.contains("\n"), value.first != " ", value.last != " " else {
            return entry(key, value)
        }
        emit("\(key): >-")
        depth += 2
        // Lines break before an `&&` where there is one, else between words.
        let separator = value.contains(" && ") ? " && " : " "
        let parts = value.components(separatedBy: separator).enumerated().map { index, part in
            index == 0 || separator == " " ? part : "&& " + part
        }
        var current = ""
        for part in parts {
            if !current.isEmpty, depth + current.count + 1 + part.count > 120 {
                emit(current)
                current = part
            } else {
                current += (current.isEmpty ? "" : " ") + part
            }
        }
        emit(current)
        depth -= 2
    }

    /// `key: value`, with `value` a string, quoted when YAML would read it as something else.
    func entry(_ key: String, string value: String) {
        entry(key, Self.scalar(value))
    }

    /// `key: "value"`, always double-quoted.
    func entry(_ key: String, quoted value: String) {
        entry(key, Self.quoted(value))
    }

    /// `key:` with what `body` writes nested under it: a mapping, or a sequence of `item`s.
    func nest(_ key: String, comment: String? = nil, _ body: () -> Void) {
        emit("\(key):" + Self.trailing(comment))
        depth += 2
        body()
        depth -= 2
    }

    /// A list item holding what `body` writes: its first line follows the `- `, the rest align with it.
    func item(_ body: () -> Void) {
        depth += 2
        opensItem = true
        body()
        precondition(!opensItem, "a list item must write something")
        depth -= 2
    }

    /// `- value`, with `value` written as it is.
    func item(_ value: String, comment: String? = nil) {
        emit("- \(value)" + Self.trailing(comment))
    }

    /// `key: |` followed by `text` as a literal block, indented under the key.
    func literal(_ key: String, _ text: String) {
        literal(lead: "\(key):", text)
    }

    /// `- |` followed by `text` as a literal block: a list item that is a script.
    func literalItem(_ text: String) {
        literal(lead: "-", text)
    }

    /// `- &anchor |` followed by `text`: a script item that later items repeat with
    /// `aliasItem(anchor)`, so the file holds it once.
    func literalItem(_ text: String, anchor: String) {
        literal(lead: "- &\(anchor)", text)
    }

    /// `- *anchor`: a list item that repeats the item anchored as `anchor` earlier in the file.
    func aliasItem(_ anchor: String) {
        emit("- *\(anchor)")
    }

    /// A line written as it is, at the current depth, for what the other methods do not cover.
    func line(_ text: String) {
        emit(text)
    }

    private func emit(_ content: String) {
        if opensItem {
            opensItem = false
            lines.append(String(repeating: " ", count: depth - 2) + "- " + content)
        } else {
            lines.append(String(repeating: " ", count: depth) + content)
        }
    }

    private static func trailing(_ comment: String?) -> String {
        comment.map { "  # \($0)" } ?? ""
    }

    private func literal(lead: String, _ text: String) {
        // What a literal block cannot hold exactly is written double-quoted instead: generated
        // scripts must be byte for byte what the spec says.
        guard Self.fitsLiteralBlock(text) else {
            emit("\(lead) \(Self.quoted(text))")
            return
        }
        var body = Substring(text)
        let endsWithNewline = body.utf8.last == UInt8(ascii: "\n")
        if endsWithNewline { body = body.dropLast() }
        // An explicit indentation indicator keeps a first line that starts with spaces or a tab
        // intact (YAML would take its spaces for the block's indentation, and libyaml refuses a tab
        // there); `|` keeps the one final
        // newline, `|-` strips it when the text had none.
        let firstContent = body.utf8.first { $0 != UInt8(ascii: "\n") }
        let indicator = firstContent == UInt8(ascii: " ") || firstContent == UInt8(ascii: "\t") ? "2" : ""
        emit("\(lead) |\(indicator)\(endsWithNewline ? "" : "-")")
        let padding = String(repeating: " ", count: depth + 2)
        // Work on UTF-8 bytes: scripts can be long, and Character-level splitting is slow.
        for content in body.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lines.append(content.isEmpty ? "" : padding + Substring(content))
        }
    }

    /// Whether a literal block reads back as exactly `text`: at most one final newline (a second
    /// would need `|+`, which swallows the blank lines that follow) after some content (a block of
    /// nothing but a newline reads back empty), no carriage return, no other
    /// line break, nothing YAML does not allow unescaped.
    static func fitsLiteralBlock(_ text: String) -> Bool {
        if text.hasSuffix("\n\n") || text == "\n" { return false }
        // Scripts are long and nearly always ASCII: check bytes first, scalars only if needed.
        let ascii = text.utf8.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A || $0 == 0x09 }
        return ascii
            || text.unicodeScalars.allSatisfy {
                $0 == "\n" || ($0 != "\r" && YAMLScalar.isPrintable($0) && !YAMLScalar.isLineBreak($0))
            }
    }

    /// `value` as YAML text: plain when YAML reads it back as the same string, else double-quoted.
    static func scalar(_ value: String) -> String {
        isPlainSafe(value) ? value : quoted(value)
    }

    /// `value` in double quotes with YAML escapes (`YAMLScalar.quoted`).
    static func quoted(_ value: String) -> String {
        YAMLScalar.quoted(value)
    }

    /// Plain scalars YAML 1.1 or 1.2 would resolve to something other than a string (`=` and `<<`
    /// are YAML 1.1's value and merge keys, which YAML 1.1 parsers such as PyYAML resolve as such).
    private static let reservedWords: Set<String> = [
        "=", "<<",
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "True", "False", "Yes", "No", "On", "Off",
        "Y", "N", "Null", "NULL", "TRUE", "FALSE", "YES", "NO", "ON", "OFF",
    ]

    private static func isPlainSafe(_ value: String) -> Bool {
        guard let first = value.first, let last = value.last else { return false }
        if first == " " || last == " " { return false }
        if "-?:,[]{}#&*!|>'\"%@`".contains(first) { return false }
        if value.contains(": ") || value.contains(" #") || value.hasSuffix(":") { return false }
        if value.contains(where: { $0.isNewline || $0 == "\t" }) { return false }
        if value.unicodeScalars.contains(where: {
            !YAMLScalar.isPrintable($0) || YAMLScalar.isLineBreak($0) || $0.value < 0x20
        }) {
            return false
        }
        if reservedWords.contains(value) { return false }
        if Double(value) != nil || Int(value) != nil { return false }
        if value.first!.isNumber || value.hasPrefix(".") || value.hasPrefix("+") { return false }
        return true
    }
}
