import Foundation

/// Where a run's job logs go: one masked file per job attempt under the run's directory.
public struct RunLogs: Sendable {
    /// The run's directory (`.slipway/runs/<run>`).
    public let directory: String

    /// Creates the log directory.
    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// The log file of a job attempt (`apply@prod.log`, `test.2.log` for a retry).
    public func path(job: String, attempt: Int) -> String {
        "\(directory)/\(job)\(attempt > 1 ? ".\(attempt)" : "").log"
    }

    func open(job: String, attempt: Int) -> LogFile? {
        LogFile(path: path(job: job, attempt: attempt))
    }
}

/// A job's log file, written from the executor's reading thread.
///
/// It is created on the first write, so a job that prints nothing leaves no file.
final class LogFile: @unchecked Sendable {
    private let path: String
    private var handle: FileHandle?
    private var closed = false
    private let lock = NSLock()

    init(path: String) {
        self.path = path
    }

    func write(_ bytes: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        if handle == nil {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            handle = FileHandle(forWritingAtPath: path)
        }
        try? handle?.write(contentsOf: bytes)
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        closed = true
        try? handle?.close()
        handle = nil
    }
}
