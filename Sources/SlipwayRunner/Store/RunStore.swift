import Foundation
import GRDB
import SlipwayCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the run store could not be opened or created.
public struct RunStoreError: Error, Sendable, CustomStringConvertible {
    /// The database's path.
    public var path: String
    /// What SQLite or the file system said.
    public var reason: String

    public var description: String { "cannot open the run store \(path): \(reason)" }
}

/// The run store: SQLite through GRDB in WAL mode.
///
/// One transaction per change, so it survives a crash at any point. It never holds a secret
/// value: everything stored is already masked.
public final class RunStore: Sendable {
    private let database: DatabasePool

    /// Opens (and creates or migrates) the store at `path`.
    ///
    /// Creating and migrating the schema is serialised across processes with an exclusive `flock`
    /// on `<path>.lock`: runs started together in a fresh repository would otherwise race to create
    /// the same tables. The kernel releases the lock if a process dies holding it.
    public init(path: String) throws(RunStoreError) {
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw RunStoreError(path: path, reason: error.localizedDescription)
        }
        let setup = open("\(path).lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard setup >= 0 else { throw RunStoreError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(setup) }
        while flock(setup, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(setup, LOCK_UN) }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // In WAL mode, NORMAL keeps every commit safe from a crash of the process (what resume
        // relies on); only a power loss may drop the last commits. FULL would fsync per commit.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        do {
            database = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
        } catch {
            throw RunStoreError(path: path, reason: "\(error)")
        }
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
        migrator.registerMigration("v3: marks") { db in
            try db.alter(table: "run") { table in table.add(column: "marksCommit", .text) }
            // Marks outlive the runs that wrote them (`runs --prune` deletes runs): no foreign key.
            try db.create(table: "mark") { table in
                table.primaryKey("instance", .text)
                table.column("commit", .text).notNull()
                table.column("fingerprint", .text).notNull()
                table.column("succeededAt", .datetime).notNull()
                table.column("runId", .text).notNull()
            }
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

    /// Records that an attempt started, with its process group when its script is running.
    public func startAttempt(run: String, job: String, attempt: Int, processGroup: Int32? = nil) throws {
        try database.write { db in
            try AttemptRecord(
                runId: run, job: job, attempt: attempt, status: .running, startedAt: Date(), finishedAt: nil,
                exitCode: nil,
                processGroup: processGroup, detail: nil
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

    /// Forgets a run: its record, attempts, approvals, artifacts' checksums and events.
    public func delete(run: String) throws {
        try database.write { db in _ = try RunRecord.deleteOne(db, key: run) }
    }

    /// Ends a run for good: its status becomes `cancelled`, with who cancelled it.
    public func cancel(run: String, by person: String) throws {
        try database.write { db in
            guard var record = try RunRecord.fetchOne(db, key: run) else { return }
            record.status = .cancelled
            record.finishedAt = Date()
            try record.update(db)
            try EventRecord(runId: run, at: Date(), job: nil, kind: .cancelled, detail: "by \(person)").insert(db)
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

    /// Sets `instance`'s mark to `mark` if its commit is still `expected`; returns whether it did.
    ///
    /// `expected` is nil when the instance has no mark; `run` is recorded as the writer. The
    /// compare-and-set is what keeps two runs from moving a mark backwards: each decides from
    /// what it read, and a write whose premise changed meanwhile is refused and decided again.
    public func setMark(
        _ instance: String, to mark: Mark, run: String, expecting expected: String?
    ) throws -> Bool {
        try database.write { db in
            let current = try MarkRecord.fetchOne(db, key: instance)
            guard current?.commit == expected else { return false }
            try MarkRecord(
                instance: instance, commit: mark.commit, fingerprint: mark.fingerprint,
                succeededAt: mark.succeededAt, runId: run
            ).save(db)
            return true
        }
    }

    // MARK: Reading

    /// `instance`'s mark, if it has one.
    public func mark(of instance: String) throws -> Mark? {
        try database.read { db in try MarkRecord.fetchOne(db, key: instance)?.mark }
    }

    /// Every instance's mark, with the run that wrote it.
    public func markRecords() throws -> [MarkRecord] {
        try database.read { db in try MarkRecord.order(Column("instance")).fetchAll(db) }
    }

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
