import Foundation

/// What a finished process left behind.
public struct ProcessOutput: Sendable, Hashable {
    /// The exit status (or 128 + the signal number when it was killed).
    public var status: Int32
    /// Everything written to standard output.
    public var standardOutput: [UInt8]
    /// Everything written to standard error, as text.
    public var standardError: String

    /// Creates an output.
    public init(status: Int32, standardOutput: [UInt8], standardError: String) {
        self.status = status
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// Runs a program to completion; the live implementation is the runner's executor.
public protocol ProcessRunning: Sendable {
    /// Runs `executable` (looked up on `PATH`) with `arguments` in `workingDirectory`.
    func run(_ executable: String, arguments: [String], workingDirectory: String?) async throws -> ProcessOutput
}
