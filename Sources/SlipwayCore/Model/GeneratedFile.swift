/// One file Slipway writes into a repository (a generator's CI configuration, a bundle's file): a
/// path relative to the repository root and its full text.
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
