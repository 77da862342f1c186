import Foundation
import SlipwayCore
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs programs to completion and collects their output; the one place Slipway spawns processes.
public struct ProcessRunner: ProcessRunning {
    /// The most output one call collects, per stream; git's file lists stay far below it.
    private let outputLimit: Int

    /// Creates a runner.
    public init(outputLimit: Int = 512 * 1024 * 1024) {
        self.outputLimit = outputLimit
    }

    public func run(_ executable: String, arguments: [String], workingDirectory: String?) async throws -> ProcessOutput
    {
        try await run(
            executable, arguments: arguments, workingDirectory: workingDirectory, environment: nil, input: nil)
    }

    /// Runs `executable` (a path when it contains `/`, else looked up on `PATH`, the one given in
    /// `environment` when it sets one) with extra environment variables (a `nil` value removes
    /// one) and optional standard input.
    public func run(
        _ executable: String, arguments: [String], workingDirectory: String?,
        environment: [String: String?]?, input: [UInt8]?
    ) async throws -> ProcessOutput {
        let program: Executable
        if executable.contains("/") {
            program = .path(FilePath(executable))
        } else if let found = Self.locate(
            executable, path: environment?["PATH"] ?? ProcessInfo.processInfo.environment["PATH"])
        {
            // Found here: swift-subprocess resolves a bare name by trying to spawn it from each
            // directory of PATH in turn, which cost about 50 ms per git call.
            program = .path(FilePath(found))
        } else {
            program = .name(executable)
        }
        var overrides: [Subprocess.Environment.Key: String?] = [:]
        for (key, value) in environment ?? [:] { overrides[Subprocess.Environment.Key(stringLiteral: key)] = value }
        let result = try await Subprocess.run(
            program,
            arguments: Arguments(arguments),
            environment: .inherit.updating(overrides),
            workingDirectory: workingDirectory.map { FilePath($0) },
            input: .array(input ?? []),
            output: .bytes(limit: outputLimit),
            error: .string(limit: 16 * 1024 * 1024)
        )
        let status: Int32
        switch result.terminationStatus {
        case .exited(let code): status = Int32(code)
        case .signaled(let signal): status = 128 + Int32(signal)
        }
        return ProcessOutput(status: status, standardOutput: result.standardOutput, standardError: result.standardError)
    }

    /// The first executable file named `name` in the directories of `path`.
    public static func locate(_ name: String, path: String?) -> String? {
        for directory in (path ?? "").split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
