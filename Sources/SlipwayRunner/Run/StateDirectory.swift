import Foundation

/// The layout of `.slipway/`, where `slipway run` keeps a repository's local state: the one place
/// that knows it.
///
/// ```
/// .slipway/
///   .gitignore                    `*`: nothing here belongs in git
///   slipway.db                    the run store (with SQLite's -wal and -shm files)
///   slipway.db.lock               taken while a process creates or migrates the store
///   locks/<environment>.lock      environment locks
///   runs/<run>/                   a run's logs, job summaries and stored artifacts
///   tools/                        pinned tools `slipway tools install` fetched (`ToolCache`)
/// ```
public struct StateDirectory: Sendable, Hashable {
    /// The repository root (the spec's directory), absolute.
    public let root: String

    /// The layout under `root`.
    public init(root: String) {
        self.root = root
    }

    /// `.slipway/` itself.
    public var path: String { "\(root)/.slipway" }

    /// Creates `.slipway/` with a `.gitignore` that keeps all of it out of git: the run store,
    /// logs and produced files (a kubeconfig among them) must never be committed by `git add -A`.
    public func prepare() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let ignore = "\(path)/.gitignore"
        if !FileManager.default.fileExists(atPath: ignore) {
            try Data(Self.gitignore.utf8).write(to: URL(fileURLWithPath: ignore), options: .atomic)
        }
    }

    /// What `.slipway/.gitignore` says.
    static let gitignore = "# Slipway's local state: run store, logs, locks and produced files. Never commit it.\n*\n"

    /// The run store's database.
    public var database: String { "\(path)/slipway.db" }

    /// Where environment lock files live.
    public var locks: String { "\(path)/locks" }

    /// Where installed tools live (`ToolCache`).
    public var tools: String { "\(path)/tools" }

    /// A run's directory: its logs and job summaries.
    public func run(_ id: String) -> String { "\(path)/runs/\(id)" }

    /// Where a run keeps the files its jobs produced, with their checksums.
    public func artifacts(ofRun id: String) -> String { "\(run(id))/artifacts" }
}
