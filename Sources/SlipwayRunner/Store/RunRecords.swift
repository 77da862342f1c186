import Foundation
import GRDB
import SlipwayCore

/// A run as the store keeps it.
public struct RunRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "run"

    public var id: String
    /// The spec the run came from, as given on the command line.
    public var spec: String
    public var event: String
    /// Where the run stands.
    public var status: RunStatus
    public var startedAt: Date
    public var finishedAt: Date?
    /// The runner's process id and host, to tell a live run from a crashed one.
    public var pid: Int32
    public var host: String
    /// The scheduled jobs, as JSON, so `resume` runs exactly what was planned.
    public var jobs: String
    /// The commit the run's successes mark (DESIGN.md, "Convergence"): set only for a push or
    /// manual run of the default branch's head with no tracked file changed.
    public var marksCommit: String?

    /// Creates a record of a run that starts now, on this machine.
    public init(id: String, spec: String, event: String, jobs: [ScheduledJob], marksCommit: String? = nil) throws {
        self.id = id
        self.marksCommit = marksCommit
        self.spec = spec
        self.event = event
        self.status = .running
        self.startedAt = Date()
        self.finishedAt = nil
        self.pid = getpid()
        self.host = ProcessInfo.processInfo.hostName
        self.jobs = String(decoding: try JSONEncoder().encode(jobs), as: UTF8.self)
    }

    /// The jobs the run planned.
    public func scheduledJobs() throws -> [ScheduledJob] {
        try JSONDecoder().decode([ScheduledJob].self, from: Data(jobs.utf8))
    }
}

/// One attempt of one job.
public struct AttemptRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "attempt"

    public var runId: String
    public var job: String
    public var attempt: Int
    /// Where the attempt stands.
    public var status: AttemptStatus
    public var startedAt: Date
    public var finishedAt: Date?
    public var exitCode: Int32?
    /// The job's process group while it runs, to find and stop it after a crash.
    public var processGroup: Int32?
    /// Why a job was skipped, or what failed before its script.
    public var detail: String?
}

/// An approval of a gated job.
public struct ApprovalRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "approval"

    public var runId: String
    public var job: String
    public var approvedBy: String
    public var approvedAt: Date
}

/// A produced file and its checksum.
public struct ArtifactRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "artifact"

    public var runId: String
    public var job: String
    public var path: String
    public var sha256: String
}

/// Something that happened in a run, in order: for `status` and for reading a run afterwards.
public struct EventRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "event"

    public var runId: String
    public var at: Date
    public var job: String?
    public var kind: EventKind
    /// Words for a person: the attempt, an exit code, who approved.
    public var detail: String?
    /// Why a job was skipped (stored as JSON), for `skipped` events.
    public var skipCause: SkipCause?

    /// Creates an event.
    public init(
        runId: String, at: Date, job: String?, kind: EventKind, detail: String? = nil, skipCause: SkipCause? = nil
    ) {
        self.runId = runId
        self.at = at
        self.job = job
        self.kind = kind
        self.detail = detail
        self.skipCause = skipCause
    }
}

/// Where a job instance last succeeded on the default branch, and which run said so.
public struct MarkRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "mark"

    public var instance: String
    public var commit: String
    public var fingerprint: String
    public var succeededAt: Date
    public var runId: String

    /// The mark itself.
    public var mark: Mark { Mark(commit: commit, fingerprint: fingerprint, succeededAt: succeededAt) }
}
