import Foundation

/// Reads text files; injected so that loading can be tested without a disk.
public protocol FileReading: Sendable {
    /// The UTF-8 text of the file at `path`.
    func readText(at path: String) throws -> String
}

/// Reads files from the local file system.
public struct DiskFileReader: FileReading {
    /// Creates a reader.
    public init() {}

    public func readText(at path: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let text = String(data: data, encoding: .utf8) else {
            throw DiskFileReaderError.notUTF8
        }
        return text
    }
}

/// Why a file could not be read as text.
public enum DiskFileReaderError: Error, CustomStringConvertible {
    case notUTF8

    public var description: String { "the file is not UTF-8 text" }
}
