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
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DiskFileReaderError.noSuchFile
        }
        if isDirectory.boolValue { throw DiskFileReaderError.isDirectory }
        guard let data = FileManager.default.contents(atPath: path) else { throw DiskFileReaderError.unreadable }
        guard let text = String(data: data, encoding: .utf8) else { throw DiskFileReaderError.notUTF8 }
        return text
    }
}

/// Why a file could not be read as text.
public enum DiskFileReaderError: Error, CustomStringConvertible {
    case noSuchFile
    case isDirectory
    case unreadable
    case notUTF8

    public var description: String {
        switch self {
        case .noSuchFile: return "no such file"
        case .isDirectory: return "it is a directory"
        case .unreadable: return "permission denied or unreadable"
        case .notUTF8: return "the file is not UTF-8 text"
        }
    }
}
