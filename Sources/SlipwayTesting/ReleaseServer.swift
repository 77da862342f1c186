import Crypto
import Foundation

/// A directory laid out like the projects' release hosts (`releases.hashicorp.com/terraform/…`),
/// filled with real archives and checksum files, served on 127.0.0.1 by
/// `scripts/release_server.py` for as long as a test needs it.
///
/// Point `SLIPWAY_TOOL_MIRROR` at `mirror` and Slipway, and the generated CI's install steps,
/// fetch from it as they would from the real hosts.
public final class ReleaseServer: @unchecked Sendable {
    /// The served directory.
    public let root: TemporaryDirectory
    /// The port it listens on.
    public let port: Int
    private let process: LoopbackServerProcess

    /// The mirror URL (`SLIPWAY_TOOL_MIRROR`) that serves `root`.
    public var mirror: String { "http://127.0.0.1:\(port)" }

    /// Starts serving a new, empty directory; `repository` is where `scripts/` lives.
    public init(repository: String) async throws {
        root = try TemporaryDirectory(prefix: "slipway-releases")
        let portFile = "\(root.path).port"
        // A bounded lifetime: a server a crashed test forgets still stops on its own.
        guard
            let server = try await LoopbackServerProcess.start(
                script: "\(repository)/scripts/release_server.py", [root.path, portFile, "600"], portFile: portFile)
        else {
            root.remove()
            throw ServerDidNotStart()
        }
        process = server
        port = server.port
    }

    /// Stops the server and removes what it served.
    public func stop() async {
        await process.stop()
        root.remove()
    }

    /// Puts a zip archive of `files` (path → contents; every file executable) at `path`.
    public func zip(_ path: String, _ files: [String: String]) throws {
        try archive(
            path, files,
            command: { archive, directory in
                ["python3", "-c", Self.zipScript, archive, directory]
            })
    }

    /// Puts a gzip-compressed tar archive of `files` at `path`.
    public func tarGzip(_ path: String, _ files: [String: String]) throws {
        try archive(path, files, command: { archive, directory in ["tar", "-czf", archive, "-C", directory, "."] })
    }

    /// Puts a file at `path`.
    public func file(_ path: String, _ contents: String) throws {
        try root.write(path, contents)
    }

    /// The SHA-256 of the served file at `path`.
    public func sha256(_ path: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(root.path)/\(path)"))
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// A stand-in executable that prints `output` for any arguments and records nothing.
    public static func printing(_ output: String) -> String {
        "#!/bin/sh\ncat <<'EOF'\n\(output)\nEOF\n"
    }

    private func archive(
        _ path: String, _ files: [String: String], command: (_ archive: String, _ directory: String) -> [String]
    ) throws {
        let staging = try TemporaryDirectory(prefix: "slipway-archive")
        defer { staging.remove() }
        for (name, contents) in files {
            try staging.write(name, contents)
            chmod("\(staging.path)/\(name)", 0o755)
        }
        let target = "\(root.path)/\(path)"
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command(target, staging.path)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ArchiveFailed(path: path) }
    }

    // Keeps each file's mode, as release zips do.
    private static let zipScript = """
        import os, sys, zipfile
        archive, directory = sys.argv[1], sys.argv[2]
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            for base, _, names in os.walk(directory):
                for name in sorted(names):
                    path = os.path.join(base, name)
                    z.write(path, os.path.relpath(path, directory))
        """

    struct ServerDidNotStart: Error {}
    struct ArchiveFailed: Error { let path: String }
}
