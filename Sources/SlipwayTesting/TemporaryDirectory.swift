import Foundation

/// A fresh directory under the system's temporary directory, removed when the test calls `remove()`.
public struct TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates the directory.
    public init(prefix: String = "slipway-test") throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    /// Writes `contents` to `relativePath`, creating parent directories.
    public func write(_ relativePath: String, _ contents: String) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    /// Writes an executable file to `relativePath`, creating parent directories.
    ///
    /// The file is written by a child process (`install`), never through a descriptor of this one: tests run in
    /// parallel, and a fork by another test while this process held the file open for writing would make the
    /// kernel refuse to execute it ("Text file busy", Linux's ETXTBSY) until that child has exec'd.
    public func writeExecutable(_ relativePath: String, _ contents: String) throws {
        let source = ".source-\(UUID().uuidString)"
        try write(source, contents)
        defer { try? delete(source) }
        let target = (path as NSString).appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/install")
        process.arguments = ["-m", "0755", (path as NSString).appendingPathComponent(source), target]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target])
        }
    }

    /// Deletes `relativePath`.
    public func delete(_ relativePath: String) throws {
        try FileManager.default.removeItem(atPath: (path as NSString).appendingPathComponent(relativePath))
    }

    /// Removes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
