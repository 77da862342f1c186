/// Builds YAML text line by line, with comments, which Yams' emitter cannot write.
///
/// Generated CI files are read by people and diffed in review, so they are written in a fixed,
/// readable layout; `YAMLText.scalar` quotes exactly when YAML would misread a plain scalar.
struct YAMLText {
    private(set) var lines: [String] = []

    /// The document, ending with one newline.
    var text: String { lines.joined(separator: "\n") + "\n" }

    mutating func line(_ indent: Int, _ text: String) {
        lines.append(String(repeating: " ", count: indent) + text)
    }

    mutating func blank() {
        lines.append("")
    }

    mutating func comment(_ indent: Int, _ text: String) {
        for part in text.split(separator: "\n", omittingEmptySubsequences: false) {
            line(indent, part.isEmpty ? "#" : "# " + part)
        }
    }

    /// `- |` followed by `text` as a literal block: a list item that is a script.
    mutating func blockItem(_ indent: Int, _ text: String) {
        literal(indent, "-", text)
    }

    /// `key: |` followed by `text` as a literal block, indented under the key.
    mutating func block(_ indent: Int, _ key: String, _ text: String) {
        literal(indent, "\(key):", text)
    }

    private mutating func literal(_ indent: Int, _ lead: String, _ text: String) {
        var body = Substring(text)
        let endsWithNewline = body.utf8.last == UInt8(ascii: "\n")
        if endsWithNewline { body = body.dropLast() }
        // An explicit indentation indicator keeps a first line that starts with spaces intact;
        // `|` keeps one final newline, `|-` strips it when the text had none.
        let indicator = body.utf8.first == UInt8(ascii: " ") ? "2" : ""
        line(indent, "\(lead) |\(indicator)\(endsWithNewline ? "" : "-")")
        let padding = String(repeating: " ", count: indent + 2)
        // Work on UTF-8 bytes: scripts can be long, and Character-level splitting is slow.
        for content in body.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            // Trailing spaces are invisible in review and meaningless in a shell script.
            var end = content.endIndex
            while end > content.startIndex {
                let previous = content.index(before: end)
                guard content[previous] == UInt8(ascii: " ") || content[previous] == UInt8(ascii: "\t") else { break }
                end = previous
            }
            let trimmed = Substring(content[content.startIndex..<end])
            lines.append(trimmed.isEmpty ? "" : padding + trimmed)
        }
    }

    /// `scalar` as YAML text: plain when YAML reads it back as the same string, else double-quoted.
    static func scalar(_ value: String) -> String {
        isPlainSafe(value) ? value : quoted(value)
    }

    /// `value` in double quotes with YAML escapes.
    static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// Plain scalars YAML 1.1 or 1.2 would resolve to something other than a string.
    private static let reservedWords: Set<String> = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "True", "False", "Yes", "No", "On", "Off",
        "Y", "N",
        "Null", "NULL", "TRUE", "FALSE", "YES", "NO", "ON", "OFF",
    ]

    private static func isPlainSafe(_ value: String) -> Bool {
        guard let first = value.first, let last = value.last else { return false }
        if first == " " || last == " " { return false }
        if "-?:,[]{}#&*!|>'\"%@`".contains(first) { return false }
        if value.contains(": ") || value.contains(" #") || value.hasSuffix(":") { return false }
        if value.contains(where: { $0.isNewline || $0 == "\t" }) { return false }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return false }
        if reservedWords.contains(value) { return false }
        if Double(value) != nil || Int(value) != nil { return false }
        if value.first!.isNumber || value.hasPrefix(".") || value.hasPrefix("+") { return false }
        return true
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
