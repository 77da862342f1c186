import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who holds an environment's lock, as written into the lock file.
public struct LockHolder: Sendable, Hashable {
    public var run: String
    public var job: String
    public var pid: Int32
    public var host: String
    public var since: Date

    /// Creates a holder description.
    public init(
        run: String, job: String, pid: Int32 = getpid(), host: String = ProcessInfo.processInfo.hostName,
        since: Date = Date()
    ) {
        self.run = run
        self.job = job
        self.pid = pid
        self.host = host
        self.since = since
    }

    var text: String {
        "run=\(run)\njob=\(job)\npid=\(pid)\nhost=\(host)\nsince=\(ISO8601DateFormatter().string(from: since))\n"
    }

    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        return fields
    }
}

/// Why an environment's lock could not be taken.
public struct LockError: Error, Sendable, CustomStringConvertible {
    public var environment: String
    /// What the lock file says about its holder, if it could be read.
    public var holder: [String: String]
    public var waited: Duration

    /// Who holds the lock, as the lock file says: `run … (job …, pid … on …, since …)`.
    public var holderDescription: String {
        holder.isEmpty
            ? "another run"
            : "run \(holder["run"] ?? "?") (job \(holder["job"] ?? "?"), pid \(holder["pid"] ?? "?") on \(holder["host"] ?? "?"), since \(holder["since"] ?? "?"))"
    }

    public var description: String {
        let wait = waited == .zero ? "" : " after waiting \(waited)"
        return
            "environment '\(environment)' is locked by \(holderDescription)\(wait); wait for it to finish, or pass --lock-timeout to wait"
    }
}

/// An exclusive, crash-safe lock on one environment: `flock` on `.slipway/locks/<env>.lock`.
///
/// The kernel releases the lock when its holder exits for any reason, so a crashed run never
/// leaves an environment locked; the file only describes the last holder.
public final class EnvironmentLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Takes the lock, polling on `clock` until `timeout` (zero: fail at once if it is held).
    ///
    /// A cancelled task stops waiting at once and gets a `LockError` as if its time ran out; the
    /// caller knows why it cancelled.
    public static func acquire<C: Clock>(
        environment: String, directory: String, holder: LockHolder, timeout: Duration, clock: C
    ) async throws(LockError) -> EnvironmentLock where C.Duration == Duration {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/\(environment).lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LockError(environment: environment, holder: ["run": "? (cannot open \(path))"], waited: .zero)
        }
        let started = clock.now
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let waited = started.duration(to: clock.now)
            if waited >= timeout || Task.isCancelled {
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                close(descriptor)
                throw LockError(
                    environment: environment, holder: LockHolder.parse(text),
                    waited: waited >= timeout ? timeout : waited)
            }
            try? await clock.sleep(for: min(.milliseconds(100), timeout - waited))
        }
        // Record the holder for whoever finds the environment locked.
        ftruncate(descriptor, 0)
        let bytes = Array(holder.text.utf8)
        _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return EnvironmentLock(descriptor: descriptor)
    }

    /// Releases the lock.
    public func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
