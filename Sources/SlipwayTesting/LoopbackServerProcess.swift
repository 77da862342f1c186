import Foundation

/// A test server script (`scripts/*_server.py`) run with python3 on 127.0.0.1: started, its port
/// read from the file it writes once it answers, and stopped.
///
/// Its output goes nowhere: a test host waits for every holder of its pipes to close them. Each
/// script also stops on its own after the lifetime it is given, so a server a crashed test forgets
/// does not outlive it.
struct LoopbackServerProcess {
    /// The running script.
    let process: Process
    /// The port it wrote.
    let port: Int

    /// Runs `python3 script arguments…` and waits up to `timeout` for the port it writes to
    /// `portFile`; nil when it stopped or did not answer in time (it is stopped then).
    static func start(
        script: String, _ arguments: [String], portFile: String, timeout: Duration = .seconds(60)
    ) async throws -> LoopbackServerProcess? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) {
                try? FileManager.default.removeItem(atPath: portFile)
                return LoopbackServerProcess(process: process, port: port)
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        return nil
    }

    /// Runs `arguments` (through `env`) in `directory` with its output discarded, as the servers'
    /// set-up does (making keys and certificates); whether it succeeded.
    static func runQuietly(_ arguments: [String], in directory: String? = nil) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Stops it: SIGTERM, then SIGKILL when it has not stopped within `grace`.
    func stop(grace: Duration = .seconds(5)) async {
        process.terminate()
        await process.exited(within: grace)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        await process.exited(within: .seconds(5))
    }
}

/// A server a test starts and must stop, whatever happens.
protocol StoppableServer {
    /// Stops the server and removes what it kept.
    func stop() async
}

extension StoppableServer {
    /// Runs `body` with `server`, and stops the server afterwards, whatever happens.
    static func serving<Result>(_ server: Self, _ body: (Self) async throws -> Result) async throws -> Result {
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }
}
