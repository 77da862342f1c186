import SlipwayCore

/// One file a generator produces: a path relative to the repository root and its full text.
public struct GeneratedFile: Hashable, Sendable {
    /// Where the file goes, relative to the repository root (`.github/workflows/slipway.yml`).
    public var path: String
    /// The file's exact contents.
    public var contents: String

    /// Creates a generated file.
    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}

/// What a generator reports when the spec uses something its platform cannot express exactly.
public struct GeneratorDiagnostic: Hashable, Sendable, Error {
    /// The platform that cannot express it.
    public var platform: Platform
    /// The job concerned, if any.
    public var job: String?
    /// What cannot be generated, and why.
    public var message: String
    /// What to do instead.
    public var hint: String?

    /// Creates a generator diagnostic.
    public init(platform: Platform, job: String?, message: String, hint: String? = nil) {
        self.platform = platform
        self.job = job
        self.message = message
        self.hint = hint
    }
}
