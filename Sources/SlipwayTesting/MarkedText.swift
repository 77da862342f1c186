import SlipwayCore

/// Test input with positions marked inside the text itself, as swift-format's tests do.
///
/// Write `⟨name⟩` right before the token a diagnostic should point at; the marker is removed and
/// `location("name")` gives its line and column in the cleaned text.
public struct MarkedText: Sendable {
    /// The text with every marker removed.
    public let text: String
    /// The file name locations use.
    public let file: String
    private let markers: [String: SourceLocation]

    /// Parses `marked`, recording each marker's position.
    public init(_ marked: String, file: String = "slipway.yml") {
        self.file = file
        var clean = ""
        var markers: [String: SourceLocation] = [:]
        var line = 1
        var column = 1
        var scalars = Array(marked.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            if scalar == "⟨", let close = scalars.firstIndex(of: "⟩") {
                let name = String(String.UnicodeScalarView(scalars[..<close]))
                markers[name] = SourceLocation(file: file, line: line, column: column)
                scalars = scalars[(close + 1)...]
                continue
            }
            clean.unicodeScalars.append(scalar)
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        self.text = clean
        self.markers = markers
    }

    /// The location of the marker `name`; fails loudly when the test forgot to place it.
    public func location(_ name: String) -> SourceLocation {
        guard let location = markers[name] else { preconditionFailure("no marker ⟨\(name)⟩ in the test text") }
        return location
    }
}
