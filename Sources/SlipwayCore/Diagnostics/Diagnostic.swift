/// How serious a diagnostic is.
public enum Severity: String, Sendable, Hashable, Codable {
    case error
    case warning
}

/// A secondary message attached to a diagnostic: a suggestion, a list of choices, a related place.
public struct Note: Hashable, Sendable {
    /// What the note says.
    public var message: String
    /// Where the note points, when it points somewhere other than its diagnostic.
    public var location: SourceLocation?

    /// Creates a note.
    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }
}

/// One problem found in a spec or its inputs: a typed kind, where it is, and how serious.
public struct Diagnostic: Hashable, Sendable {
    /// What went wrong, as a typed value; the message and notes are derived from it.
    public var kind: DiagnosticKind
    /// Where it went wrong; `nil` when the problem has no single place (an unreadable file).
    public var location: SourceLocation?

    /// Creates a diagnostic.
    public init(_ kind: DiagnosticKind, at location: SourceLocation?) {
        self.kind = kind
        self.location = location
    }

    /// Whether this diagnostic is an error or a warning.
    public var severity: Severity { kind.severity }
    /// The one-line message.
    public var message: String { kind.message }
    /// Suggestions and context that follow the message.
    public var notes: [Note] { kind.notes }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Diagnostics in reading order: by file, line and column; those without a location last.
    public func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { a, b in
            switch (a.element.location, b.element.location) {
            case (let l?, let r?): return l == r ? a.offset < b.offset : l < r
            case (.some, .none): return true
            case (.none, .some): return false
            case (.none, .none): return a.offset < b.offset
            }
        }.map(\.element)
    }
}
