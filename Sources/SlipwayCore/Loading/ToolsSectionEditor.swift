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

        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let next = keyLines.filter { $0 > start }.min() ?? (lines.count + 1)
        // The section runs to the next top-level key; blank and comment lines just before that key
        // belong to it, not to the tools.
        var end = next - 1
        while end > start, isBlankOrComment(lines[end - 1]) { end -= 1 }

        let section = Array(lines[start - 1..<end])
        let indent =
            section.dropFirst().first { !isBlankOrComment($0) }.map { line in
                String(line.prefix { $0 == " " })
            }.flatMap { $0.isEmpty ? nil : $0 } ?? "  "
        let comments = commentsAbove(section, indent: indent)

        var rendered = ["tools:"]
        for pin in pins {
            rendered += comments[pin.name] ?? []
            rendered += render(pin, indent: indent)
        }
        lines.replaceSubrange(start - 1..<end, with: rendered)
        let result = lines.joined(separator: "\n")

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

    /// The comment lines directly above each tool's key in the old section, by tool name.
    private static func commentsAbove(_ section: [String], indent: String) -> [String: [String]] {
        var result: [String: [String]] = [:]
        var pending: [String] = []
        for line in section.dropFirst() {
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("#") {
                pending.append(line)
                continue
            }
            if line.hasPrefix(indent), !line.hasPrefix(indent + " "), let colon = trimmed.firstIndex(of: ":") {
                let name = String(trimmed[..<colon].filter { $0 != "\"" && $0 != "'" && $0 != " " })
                if !pending.isEmpty { result[name] = pending }
            }
            pending = []
        }
        return result
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
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    quoted += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
