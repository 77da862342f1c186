import SlipwayCore

/// Reads files from a dictionary, for loading specs without a disk.
public struct InMemoryFileReader: FileReading {
    /// File contents by path.
    public var files: [String: String]

    /// Creates a reader over `files`.
    public init(_ files: [String: String]) {
        self.files = files
    }

    public func readText(at path: String) throws -> String {
        guard let text = files[path] else { throw InMemoryFileReaderError.noSuchFile(path) }
        return text
    }
}

/// The in-memory reader's only failure.
public enum InMemoryFileReaderError: Error {
    case noSuchFile(String)
}
