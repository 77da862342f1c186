import SlipwayCore

/// Prints diagnostics compiler-style: `file:line:column: error: message`, the source line with a
/// marker under the problem, then the notes; and a closing count.
struct DiagnosticPrinter {
    let palette: Palette
    /// The spec's text, for source excerpts; `nil` prints no excerpts.
    let source: String?

    func render(_ diagnostics: [Diagnostic]) -> String {
        let lines = source.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
        var output = ""
        for diagnostic in diagnostics {
            let label = diagnostic.severity == .error ? palette.error("error:") : palette.warning("warning:")
            let prefix = diagnostic.location.map { "\($0): " } ?? ""
            output += palette.bold(prefix) + label + " " + palette.bold(diagnostic.message) + "\n"
            if let location = diagnostic.location { output += excerpt(location, lines) }
            for note in diagnostic.notes {
                if let location = note.location {
                    output += "\(location): " + palette.note("note:") + " \(note.message)\n"
                    output += excerpt(location, lines)
                } else {
                    output += palette.note("note:") + " \(note.message)\n"
                }
            }
        }
        return output
    }

    func summary(_ diagnostics: [Diagnostic], file: String) -> String? {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
        guard errors + warnings > 0 else { return nil }
        var parts: [String] = []
        if errors > 0 { parts.append(errors == 1 ? "1 error" : "\(errors) errors") }
        if warnings > 0 { parts.append(warnings == 1 ? "1 warning" : "\(warnings) warnings") }
        return "\(parts.joined(separator: " and ")) in \(file)\n"
    }

    /// The source line and a `^~~~` marker under the token at `location`.
    private func excerpt(_ location: SourceLocation, _ lines: [String]) -> String {
        guard location.line >= 1, location.line <= lines.count else { return "" }
        let line = lines[location.line - 1].replacingOccurrences(of: "\r", with: "")
        let scalars = Array(line.unicodeScalars)
        let start = min(max(location.column - 1, 0), scalars.count)
        let length = max(1, Self.tokenLength(scalars[start...]))
        let gutter = String(location.line)
        let padding = String(repeating: " ", count: gutter.count)
        // Tabs stay tabs in the marker line so the caret lines up under them.
        let indent = String(String.UnicodeScalarView(scalars[..<start].map { $0 == "\t" ? "\t" : " " }))
        let marker = "^" + String(repeating: "~", count: length - 1)
        return palette.dim(" \(gutter) | ") + line + "\n" + palette.dim(" \(padding) | ") + indent
            + palette.error(marker) + "\n"
    }

    /// How far the token starting here runs: to the closing quote, or to YAML punctuation.
    static func tokenLength(_ scalars: ArraySlice<Unicode.Scalar>) -> Int {
        guard let first = scalars.first else { return 0 }
        if first == "\"" || first == "'" {
            if let close = scalars.dropFirst().firstIndex(of: first) { return close - scalars.startIndex + 1 }
            return scalars.count
        }
        var length = 0
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if scalar == "," || scalar == "]" || scalar == "}" || scalar == "#" { break }
            if scalar == ":" && (index + 1 == scalars.endIndex || scalars[index + 1] == " ") { break }
            length += 1
            index += 1
        }
        // Trailing spaces are not part of the token.
        while length > 1, scalars[scalars.startIndex + length - 1] == " " { length -= 1 }
        return length
    }
}
