/// The layout of `.slipway/`, where `slipway run` keeps a repository's local state: the one place
/// that knows it.
///
/// ```
/// .slipway/
///   slipway.db                    the run store
///   locks/<environment>.lock      environment locks
///   runs/<run>/                   a run's logs, job summaries and stored artifacts
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

    /// The run store's database.
    public var database: String { "\(path)/slipway.db" }

    /// Where environment lock files live.
    public var locks: String { "\(path)/locks" }

    /// A run's directory: its logs and job summaries.
    public func run(_ id: String) -> String { "\(path)/runs/\(id)" }

    /// Where a run keeps the files its jobs produced, with their checksums.
    public func artifacts(ofRun id: String) -> String { "\(run(id))/artifacts" }
}
