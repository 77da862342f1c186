import Foundation
import GRDB

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

    /// Creates a record of a run that starts now, on this machine.
    public init(id: String, spec: String, event: String, jobs: [ScheduledJob]) throws {
        self.id = id
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

/// The run store: SQLite through GRDB in WAL mode.
///
/// One transaction per change, so it survives a crash at any point. It never holds a secret
/// value: everything stored is already masked.
public final class RunStore: Sendable {
    private let database: DatabasePool

    /// Opens (and creates or migrates) the store at `path`.
    public init(path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // In WAL mode, NORMAL keeps every commit safe from a crash of the process (what resume
        // relies on); only a power loss may drop the last commits. FULL would fsync per commit.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        database = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "run") { table in
                table.primaryKey("id", .text)
                table.column("spec", .text).notNull()
                table.column("event", .text).notNull()
                table.column("status", .text).notNull()
                table.column("startedAt", .datetime).notNull()
                table.column("finishedAt", .datetime)
                table.column("pid", .integer).notNull()
                table.column("host", .text).notNull()
                table.column("jobs", .text).notNull()
            }
            try db.create(table: "attempt") { table in
                table.column("runId", .text).notNull().references("run", onDelete: .cascade)
                table.column("job", .text).notNull()
                table.column("attempt", .integer).notNull()
                table.column("status", .text).notNull()
                table.column("startedAt", .datetime).notNull()
                table.column("finishedAt", .datetime)
                table.column("exitCode", .integer)
                table.column("processGroup", .integer)
                table.column("detail", .text)
                table.primaryKey(["runId", "job", "attempt"])
            }
            try db.create(table: "approval") { table in
                table.column("runId", .text).notNull().references("run", onDelete: .cascade)
                table.column("job", .text).notNull()
                table.column("approvedBy", .text).notNull()
                table.column("approvedAt", .datetime).notNull()
                table.primaryKey(["runId", "job"])
            }
            try db.create(table: "artifact") { table in
                table.column("runId", .text).notNull().references("run", onDelete: .cascade)
                table.column("job", .text).notNull()
                table.column("path", .text).notNull()
                table.column("sha256", .text).notNull()
                table.primaryKey(["runId", "job", "path"])
            }
            try db.create(table: "event") { table in
                table.autoIncrementedPrimaryKey("sequence")
                table.column("runId", .text).notNull().references("run", onDelete: .cascade)
                table.column("at", .datetime).notNull()
                table.column("job", .text)
                table.column("kind", .text).notNull()
                table.column("detail", .text)
            }
        }
        migrator.registerMigration("v2: typed skip causes") { db in
            try db.alter(table: "event") { table in table.add(column: "skipCause", .text) }
        }
        return migrator
    }

    // MARK: Writing

    /// Records a new run.
    public func insert(_ run: RunRecord) throws {
        try database.write { db in try run.insert(db) }
    }

    /// Sets a run's status (and its end, unless it is running again).
    public func setStatus(run: String, _ status: RunStatus, pid: Int32? = nil) throws {
        try database.write { db in
            guard var record = try RunRecord.fetchOne(db, key: run) else { return }
            record.status = status
            record.finishedAt = status == .running ? nil : Date()
            if let pid { record.pid = pid }
            try record.update(db)
        }
    }

    /// Records that an attempt started, with its process group once known.
    public func startAttempt(run: String, job: String, attempt: Int) throws {
        try database.write { db in
            try AttemptRecord(
                runId: run, job: job, attempt: attempt, status: .running, startedAt: Date(), finishedAt: nil,
                exitCode: nil,
                processGroup: nil, detail: nil
            ).save(db)
            try EventRecord(runId: run, at: Date(), job: job, kind: .started, detail: "attempt \(attempt)").insert(db)
        }
    }

    /// Records the process group of a running attempt.
    public func setProcessGroup(run: String, job: String, attempt: Int, processGroup: Int32) throws {
        try database.write { db in
            try db.execute(
                sql: "UPDATE attempt SET processGroup = ? WHERE runId = ? AND job = ? AND attempt = ?",
                arguments: [processGroup, run, job, attempt])
        }
    }

    /// Records how an attempt ended.
    public func finishAttempt(
        run: String, job: String, attempt: Int, status: AttemptStatus, exitCode: Int32?, detail: String? = nil
    ) throws {
        try database.write { db in
            try db.execute(
                sql: """
                    UPDATE attempt SET status = ?, finishedAt = ?, exitCode = ?, detail = COALESCE(?, detail)
                    WHERE runId = ? AND job = ? AND attempt = ?
                    """,
                arguments: [status, Date(), exitCode, detail, run, job, attempt])
            try EventRecord(
                runId: run, at: Date(), job: job, kind: EventKind(status), detail: exitCode.map { "exit code \($0)" }
            ).insert(db)
        }
    }

    /// Records a skipped job.
    public func skip(run: String, job: String, cause: SkipCause) throws {
        try database.write { db in
            try EventRecord(runId: run, at: Date(), job: job, kind: .skipped, skipCause: cause).insert(db)
        }
    }

    /// Records that a job waits for approval.
    public func awaitApproval(run: String, job: String) throws {
        try database.write { db in
            try EventRecord(runId: run, at: Date(), job: job, kind: .awaitingApproval).insert(db)
        }
    }

    /// Records an approval.
    public func approve(run: String, job: String, by person: String) throws {
        try database.write { db in
            try ApprovalRecord(runId: run, job: job, approvedBy: person, approvedAt: Date()).save(db)
            try EventRecord(runId: run, at: Date(), job: job, kind: .approved, detail: "by \(person)").insert(db)
        }
    }

    /// Records a produced file and its checksum.
    public func recordArtifact(run: String, job: String, path: String, sha256: String) throws {
        try database.write { db in try ArtifactRecord(runId: run, job: job, path: path, sha256: sha256).save(db) }
    }

    // MARK: Reading

    /// The run with this id.
    public func run(_ id: String) throws -> RunRecord? {
        try database.read { db in try RunRecord.fetchOne(db, key: id) }
    }

    /// The newest runs first.
    public func runs(limit: Int = 20) throws -> [RunRecord] {
        try database.read { db in
            try RunRecord.order(Column("startedAt").desc, Column("id").desc).limit(limit).fetchAll(db)
        }
    }

    /// A run's attempts, in the order they started.
    public func attempts(run: String) throws -> [AttemptRecord] {
        try database.read { db in
            try AttemptRecord.filter(Column("runId") == run).order(Column("startedAt"), Column("attempt")).fetchAll(db)
        }
    }

    /// A run's approvals.
    public func approvals(run: String) throws -> [ApprovalRecord] {
        try database.read { db in try ApprovalRecord.filter(Column("runId") == run).fetchAll(db) }
    }

    /// A run's events, in order.
    public func events(run: String) throws -> [EventRecord] {
        try database.read { db in try EventRecord.filter(Column("runId") == run).order(Column("sequence")).fetchAll(db)
        }
    }

    /// SQLite's own integrity check: `ok` when the file is sound.
    public func integrityCheck() throws -> String {
        try database.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }
}
