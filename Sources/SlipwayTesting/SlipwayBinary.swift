import Foundation
import SlipwayRunner

/// What one run of the built `slipway` binary printed and how it exited.
public struct CommandResult: Sendable {
    public let status: Int32
    public let standardOutput: String
    public let standardError: String
}

/// Runs the built `slipway` executable as a user would, for end-to-end tests.
public struct SlipwayBinary: Sendable {
    /// The executable's path: `SLIPWAY_BINARY` if set, else `slipway` beside the test bundle.
    public let path: String
    private let runner = ProcessRunner()

    /// Locates the binary that `swift build` put next to the tests.
    public init() {
        if let explicit = ProcessInfo.processInfo.environment["SLIPWAY_BINARY"] {
            path = explicit
            return
        }
        var directory = Bundle.main.bundleURL
        // The test runner may be the .xctest bundle itself or a helper inside the build directory.
        if directory.pathExtension == "xctest" { directory = directory.deletingLastPathComponent() }
        path = directory.appendingPathComponent("slipway").path
    }

    /// Runs another executable the same way, for tests that drive validators or a terminal.
    public init(path: String) {
        self.path = path
    }

    /// Starts `slipway arguments…` in the background (Foundation's `Process`, for tests that
    /// signal or race it); its output goes to `outputFile` when given, else nowhere.
    public func start(_ arguments: [String], in directory: String, outputFile: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var output = FileHandle.nullDevice
        if let outputFile, FileManager.default.createFile(atPath: outputFile, contents: nil),
            let handle = FileHandle(forWritingAtPath: outputFile)
        {
            output = handle
        }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return process
    }

    /// Runs `slipway arguments…` in `directory`, with `environment` on top of this process's
    /// (NO_COLOR unset unless given) and `input` on standard input.
    public func run(
        _ arguments: [String], in directory: String, environment: [String: String?] = [:], input: String? = nil
    ) async throws -> CommandResult {
        var environment = environment
        if environment["NO_COLOR"] == nil { environment["NO_COLOR"] = .some(nil) }
        let output = try await runner.run(
            path, arguments: arguments, workingDirectory: directory, environment: environment,
            input: input.map { Array($0.utf8) })
        return CommandResult(
            status: output.status, standardOutput: String(decoding: output.standardOutput, as: UTF8.self),
            standardError: output.standardError)
    }
}
