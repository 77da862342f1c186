import Foundation

/// moto, the AWS API emulator, served on 127.0.0.1 by `scripts/moto_server.py` for as long as a
/// test needs it: S3, EC2, ELBv2, IAM, STS and Route53 behind one endpoint.
///
/// Point the AWS CLI and Terraform's AWS provider at it with `environment` (they read
/// `AWS_ENDPOINT_URL`); the credentials are moto's own test values, never real ones.
public final class MotoServer: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    private let process: Process

    /// The endpoint every AWS service answers at.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The environment that points the AWS CLI, SDKs and Terraform at this server in `region`.
    public func environment(region: String = "eu-central-1") -> [String: String] {
        [
            "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": region, "AWS_REGION": region, "AWS_EC2_METADATA_DISABLED": "true",
        ]
    }

    /// Starts a server; `repository` is where `scripts/` lives.
    public init(repository: String) async throws {
        let portFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "slipway-moto-\(UUID().uuidString).port"
        ).path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // A bounded lifetime: a server a crashed test forgets still stops on its own.
        process.arguments = ["python3", "\(repository)/scripts/moto_server.py", portFile, "900"]
        // Not the test's own output: a test host waits for every holder of its pipes to close them.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(60) {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) {
                self.port = port
                try? FileManager.default.removeItem(atPath: portFile)
                return
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw DidNotStart()
    }

    /// Runs `body` with a server of its own, and stops the server afterwards, whatever happens.
    public static func with<Result>(
        repository: String, _ body: (MotoServer) async throws -> Result
    ) async throws -> Result {
        let server = try await MotoServer(repository: repository)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Stops the server.
    public func stop() async {
        process.terminate()
        await process.exited(within: .seconds(5))
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        await process.exited(within: .seconds(5))
    }

    /// moto did not answer in time (is `moto[server]` installed? `scripts/bootstrap.sh` installs it).
    struct DidNotStart: Error {}
}
