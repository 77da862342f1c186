import Yams

/// Rewrites the `tools:` section of `slipway.yml` with new pins, leaving every other byte of the
/// file as it was: what `slipway tools lock` uses to write the digests it read.
///
/// The section is written in block style; comment lines directly above a tool's key stay with
/// that tool. The result is read back and compared with the pins before it is returned, so a
/// rewrite that would change anything else about the tools is refused rather than written.
public enum ToolsSectionEditor {
    /// Why the section could not be rewritten.
    public enum Failure: Error, Sendable, Hashable {
        /// The file is not a block mapping (one whose first key starts where the mapping does,
        /// where a flow mapping starts at its `{`) with a `tools:` key at its top level.
        case noToolsSection
        /// The rewritten file would not read back as the same pins.
        case wouldChangeMeaning
    }

    /// `text` with its `tools:` section replaced by `pins`, in their order.
    public static func rewrite(_ text: String, with pins: [ToolPin]) throws(Failure) -> String {
        guard let root = try? Yams.compose(yaml: text), case .mapping(let mapping) = root,
            let firstKey = mapping.keys.first?.mark, root.mark?.line == firstKey.line,
            root.mark?.column == firstKey.column
        else { throw .noToolsSection }
        let keyLines = mapping.keys.compactMap { $0.mark?.line }
        guard let toolsKey = mapping.keys.first(where: { $0.string == "tools" }), let start = toolsKey.mark?.line,
            toolsKey.mark?.column == 1
        else { throw .noToolsSection }

        // A file with Windows line endings keeps them.
        let newline = text.contains("\r\n") ? "\r\n" : "\n"
        var lines = text.components(separatedBy: newline)
        let next = keyLines.filter { $0 > start }.min() ?? (lines.count + 1)
        // The section runs to the next top-level key; blank and comment lines just before that key
        // belong to it, not to the tools.
        var end = next - 1
        while end > start, end - 1 < lines.count, isBlankOrComment(lines[end - 1]) { end -= 1 }
        guard start - 1 < lines.count, end <= lines.count else { throw .noToolsSection }

        let section = Array(lines[start - 1..<end])
        let indent =
            section.dropFirst().first { !isBlankOrComment($0) }.map { line in
                String(line.prefix { $0 == " " })
            }.flatMap { $0.isEmpty ? nil : $0 } ?? "  "
        let old = entries(section, indent: indent)
        let previous = Dictionary(
            (SpecLoader().load(text: text, file: "slipway.yml").spec?.tools ?? []).map { ($0.name, $0) },
            uniquingKeysWith: { first, _ in first })

        // A block-style `tools:` line keeps its comment; a flow-style section is written anew.
        var rendered = [old.isEmpty ? "tools:" : section[0]]
        for pin in pins {
            guard let entry = old[pin.name] else {
                rendered += render(pin, indent: indent)
                continue
            }
            rendered += entry.leading
            if previous[pin.name] == pin {
                // Unchanged: every byte as it was, comments included.
                rendered += entry.body
            } else {
                // Rewritten: a comment on one of its lines moves above it rather than being lost.
                rendered += entry.body.compactMap { comment(in: $0) }.map { indent + $0 }
                rendered += render(pin, indent: indent)
            }
        }
        lines.replaceSubrange(start - 1..<end, with: rendered)
        let result = lines.joined(separator: newline)

        // Read back: the same pins, and no error the file did not have before.
        func errors(_ text: String) -> Int {
            SpecLoader().load(text: text, file: "slipway.yml").diagnostics.filter { $0.severity == .error }.count
        }
        guard SpecLoader().load(text: result, file: "slipway.yml").spec?.tools == pins, errors(result) <= errors(text)
        else { throw .wouldChangeMeaning }
        return result
    }

    private static func isBlankOrComment(_ line: String) -> Bool {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        return trimmed.isEmpty || trimmed.hasPrefix("#")
    }

    /// A tool's lines in a block-style section: the blank and comment lines before it, then its
    /// key line and every line indented deeper.
    private struct Entry {
        var leading: [String] = []
        var body: [String] = []
    }

    /// The block-style section's entries by tool name; empty for a flow-style section.
    private static func entries(_ section: [String], indent: String) -> [String: Entry] {
        var result: [String: Entry] = [:]
        var pending: [String] = []
        var current: String?
        for line in section.dropFirst() {
            let depth = line.prefix { $0 == " " }.count
            if !isBlankOrComment(line), depth > indent.count, let name = current {
                result[name]?.body.append(line)
                continue
            }
            if isBlankOrComment(line) {
                pending.append(line)
                continue
            }
            let trimmed = line.drop { $0 == " " }
            guard depth == indent.count, let colon = trimmed.firstIndex(of: ":") else { return [:] }
            let name = String(trimmed[..<colon].filter { $0 != "\"" && $0 != "'" })
            result[name] = Entry(leading: pending, body: [line])
            pending = []
            current = name
        }
        return result
    }

    /// The comment on `line` (`# …`), if it has one: the whole line, or what follows ` #`.
    private static func comment(in line: String) -> String? {
        let trimmed = line.drop { $0 == " " }
        if trimmed.hasPrefix("#") { return String(trimmed) }
        guard let mark = line.range(of: " #") else { return nil }
        return String(line[line.index(after: mark.lowerBound)...])
    }

    /// One pin, in the short form when it says nothing but its version.
    static func render(_ pin: ToolPin, indent: String) -> [String] {
        guard pin.needsLongForm else { return ["\(indent)\(pin.name): \(scalar(pin.version))"] }
        let inner = indent + indent
        var lines = ["\(indent)\(pin.name):", "\(inner)version: \(scalar(pin.version))"]
        if let url = pin.url { lines.append("\(inner)url: \(scalar(url))") }
        if let checksums = pin.checksums { lines.append("\(inner)checksums: \(scalar(checksums))") }
        if let binary = pin.binary { lines.append("\(inner)binary: \(scalar(binary))") }
        if let arguments = pin.versionArgs {
            lines.append("\(inner)versionArgs: \(scalar(arguments.joined(separator: " ")))")
        }
        if !pin.replacements.isEmpty {
            lines.append("\(inner)replacements:")
            for (from, to) in pin.replacements.sorted(by: { $0.key < $1.key }) {
                lines.append("\(inner)\(indent)\(scalar(from)): \(scalar(to))")
            }
        }
        if !pin.sha256.isEmpty {
            lines.append("\(inner)sha256:")
            for platform in pin.sha256.keys.sorted() {
                lines.append("\(inner)\(indent)\(platform.key): \(scalar(pin.sha256[platform] ?? ""))")
            }
        }
        return lines
    }

    /// `text` as a YAML scalar: plain when YAML reads it back as the same string, else
    /// double-quoted.
    static func scalar(_ text: String) -> String {
        let safe = text.unicodeScalars.allSatisfy {
            $0.isASCIILetter || $0.isASCIIDigit || "._/:{}@+=~-".unicodeScalars.contains($0)
        }
        let first = text.unicodeScalars.first
        let readsAsSomethingElse =
            ["true", "false", "yes", "no", "on", "off", "null", "~"].contains(text.lowercased())
            || (text.allSatisfy { $0.isNumber || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-" }
                && text.contains { $0 == "e" || $0 == "E" })
        if safe, let first, first.isASCIILetter || first.isASCIIDigit, !text.contains(": "), !readsAsSomethingElse {
            return text
        }
        return YAMLScalar.quoted(text)
    }
}
