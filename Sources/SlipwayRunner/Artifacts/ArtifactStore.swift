import Crypto
import Foundation

/// Why an artifact could not be captured or restored.
public enum ArtifactError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A job declared a file in `produces` that it did not create.
    case notProduced(job: String, path: String)
    /// A stored file no longer has the checksum recorded when it was produced.
    case altered(job: String, path: String, expected: String, found: String)
    /// A stored file or its manifest is gone.
    case missing(job: String, path: String)
    /// The file system refused.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .notProduced(let job, let path):
            return "\(job) lists '\(path)' under 'produces' but did not create it"
        case .altered(let job, let path, let expected, let found):
            return
                "'\(path)' produced by \(job) was altered after it was recorded (SHA-256 \(found.prefix(12))…, expected \(expected.prefix(12))…); re-run \(job)"
        case .missing(let job, let path):
            return "'\(path)' produced by \(job) is missing from the run's store; re-run \(job)"
        case .io(let path, let reason):
            return "cannot copy '\(path)': \(reason)"
        }
    }
}

/// Copies what jobs produce into the run's directory with SHA-256 checksums, and restores and
/// verifies it before the jobs that need them start, so they use exactly what was produced.
public struct ArtifactStore: Sendable {
    /// The repository root that `produces` paths are relative to.
    public let root: String
    /// The run's artifact directory (`.slipway/runs/<run>/artifacts`).
    public let directory: String

    /// Creates a store.
    public init(root: String, directory: String) {
        self.root = root
        self.directory = directory
    }

    private func storedPath(_ job: String, _ path: String) -> String { "\(directory)/\(job)/files/\(path)" }
    private func manifestPath(_ job: String) -> String { "\(directory)/\(job)/SHA256SUMS" }

    /// Copies `paths` (files, or directories with everything below them) from the workspace into
    /// the store, records their checksums, and returns them.
    @discardableResult
    public func capture(job: String, paths: [String]) throws(ArtifactError) -> [(path: String, sha256: String)] {
        var lines: [String] = []
        var captured: [(path: String, sha256: String)] = []
        for path in paths {
            for file in try files(at: path, job: job) {
                let source = "\(root)/\(file)"
                let target = storedPath(job, file)
                do {
                    try FileManager.default.createDirectory(
                        atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    if FileManager.default.fileExists(atPath: target) {
                        try FileManager.default.removeItem(atPath: target)
                    }
                    try FileManager.default.copyItem(atPath: source, toPath: target)
                } catch {
                    throw .io(path: file, reason: "\(error.localizedDescription)")
                }
                let digest = try Self.sha256(of: target, path: file)
                lines.append("\(digest)  \(file)")
                captured.append((file, digest))
            }
        }
        do {
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(
                to: URL(fileURLWithPath: manifestPath(job)), options: .atomic)
        } catch {
            throw .io(path: manifestPath(job), reason: "\(error.localizedDescription)")
        }
        return captured
    }

    /// Whether `job` has captured artifacts in this run.
    public func hasArtifacts(of job: String) -> Bool {
        FileManager.default.fileExists(atPath: manifestPath(job))
    }

    /// Verifies every stored file of `job` against its checksum, then copies it back into the
    /// workspace, replacing whatever is there.
    public func restore(job: String) throws(ArtifactError) {
        guard let data = FileManager.default.contents(atPath: manifestPath(job)) else {
            throw .missing(job: job, path: "SHA256SUMS")
        }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let expected = String(parts[0])
            let file = String(parts[1].dropFirst())
            let stored = storedPath(job, file)
            guard FileManager.default.fileExists(atPath: stored) else { throw .missing(job: job, path: file) }
            let found = try Self.sha256(of: stored, path: file)
            guard found == expected else { throw .altered(job: job, path: file, expected: expected, found: found) }
            let target = "\(root)/\(file)"
            do {
                try FileManager.default.createDirectory(
                    atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
                try FileManager.default.copyItem(atPath: stored, toPath: target)
            } catch {
                throw .io(path: file, reason: "\(error.localizedDescription)")
            }
        }
    }

    /// The files a `produces` entry stands for, relative to the root.
    private func files(at path: String, job: String) throws(ArtifactError) -> [String] {
        var isDirectory: ObjCBool = false
        let absolute = "\(root)/\(path)"
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
            throw .notProduced(job: job, path: path)
        }
        guard isDirectory.boolValue else { return [path] }
        let children = (FileManager.default.enumerator(atPath: absolute)?.allObjects as? [String]) ?? []
        return children.sorted().filter { child in
            var childIsDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(absolute)/\(child)", isDirectory: &childIsDirectory)
                && !childIsDirectory.boolValue
        }.map { "\(path)/\($0)" }
    }

    /// The SHA-256 of a file, read in chunks.
    static func sha256(of file: String, path: String) throws(ArtifactError) -> String {
        guard let handle = FileHandle(forReadingAtPath: file) else { throw .io(path: path, reason: "cannot open it") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
