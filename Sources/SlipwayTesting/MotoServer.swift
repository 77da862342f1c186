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
    /// With TLS: the directory holding its self-signed certificate (`cert.pem`).
    private let certificates: TemporaryDirectory?

    /// The endpoint every AWS service answers at.
    public var endpoint: String { "\(certificates == nil ? "http" : "https")://127.0.0.1:\(port)" }

    /// The environment that points the AWS CLI, SDKs and Terraform at this server in `region`
    /// (with TLS, `AWS_CA_BUNDLE` makes them trust its certificate).
    public func environment(region: String = "eu-central-1") -> [String: String] {
        var environment = [
            "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": region, "AWS_REGION": region, "AWS_EC2_METADATA_DISABLED": "true",
        ]
        if let certificates { environment["AWS_CA_BUNDLE"] = "\(certificates.path)/cert.pem" }
        return environment
    }

    /// Starts a server, from the `scripts/` of `repository`.
    ///
    /// With `tls`, it serves HTTPS with a certificate for 127.0.0.1 made for it, as AWS serves (a
    /// TLS-only bucket policy needs it).
    public init(repository: String, tls: Bool = false) async throws {
        let portFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "slipway-moto-\(UUID().uuidString).port"
        ).path
        var tlsArguments: [String] = []
        if tls {
            let directory = try TemporaryDirectory(prefix: "slipway-moto-tls")
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            openssl.arguments = [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", "\(directory.path)/key.pem", "-out",
                "\(directory.path)/cert.pem",
            ]
            openssl.standardOutput = FileHandle.nullDevice
            openssl.standardError = FileHandle.nullDevice
            try openssl.run()
            openssl.waitUntilExit()
            guard openssl.terminationStatus == 0 else { throw DidNotStart() }
            certificates = directory
            tlsArguments = ["\(directory.path)/cert.pem", "\(directory.path)/key.pem"]
        } else {
            certificates = nil
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // A bounded lifetime: a server a crashed test forgets still stops on its own.
        process.arguments = ["python3", "\(repository)/scripts/moto_server.py", portFile, "900"] + tlsArguments
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
        repository: String, tls: Bool = false, _ body: (MotoServer) async throws -> Result
    ) async throws -> Result {
        let server = try await MotoServer(repository: repository, tls: tls)
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
        certificates?.remove()
    }

    /// moto did not answer in time (is `moto[server]` installed? `scripts/bootstrap.sh` installs it).
    struct DidNotStart: Error {}
}
