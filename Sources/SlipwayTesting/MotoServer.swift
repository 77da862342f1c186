import Foundation

/// moto, the AWS API emulator, served on 127.0.0.1 by `scripts/moto_server.py` for as long as a
/// test needs it: S3, EC2, ELBv2, IAM, STS and Route53 behind one endpoint.
///
/// Point the AWS CLI and Terraform's AWS provider at it with `environment` (they read
/// `AWS_ENDPOINT_URL`); the credentials are moto's own test values, never real ones.
public final class MotoServer: StoppableServer, @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    private let process: LoopbackServerProcess
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
            let certificate = [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", "\(directory.path)/key.pem", "-out",
                "\(directory.path)/cert.pem",
            ]
            guard try LoopbackServerProcess.runQuietly(certificate) else {
                directory.remove()
                throw DidNotStart()
            }
            certificates = directory
            tlsArguments = ["\(directory.path)/cert.pem", "\(directory.path)/key.pem"]
        } else {
            certificates = nil
        }
        // A bounded lifetime: a server a crashed test forgets still stops on its own.
        guard
            let server = try await LoopbackServerProcess.start(
                script: "\(repository)/scripts/moto_server.py", [portFile, "900"] + tlsArguments, portFile: portFile)
        else { throw DidNotStart() }
        process = server
        port = server.port
    }

    /// Runs `body` with a server of its own, and stops the server afterwards, whatever happens.
    public static func with<Result>(
        repository: String, tls: Bool = false, _ body: (MotoServer) async throws -> Result
    ) async throws -> Result {
        try await serving(try await MotoServer(repository: repository, tls: tls), body)
    }

    /// Stops the server.
    public func stop() async {
        await process.stop()
        certificates?.remove()
    }

    /// moto did not answer in time (is `moto[server]` installed? `scripts/bootstrap.sh` installs it).
    struct DidNotStart: Error {}
}
