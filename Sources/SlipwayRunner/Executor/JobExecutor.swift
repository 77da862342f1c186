import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a job's process could not be started.
public struct SpawnError: Error, Sendable, CustomStringConvertible {
    /// The job.
    public var job: String
    /// The system's reason.
    public var reason: String

    public var description: String { "cannot start \(job): \(reason)" }
}

/// A started job process: its process group, which `terminate` signals as a whole.
public final class RunningJob: Sendable {
    /// The process id of bash, which is also the id of the job's process group.
    public let processGroup: pid_t
    private let finished: @Sendable () async -> Int32

    init(processGroup: pid_t, finished: @escaping @Sendable () async -> Int32) {
        self.processGroup = processGroup
        self.finished = finished
    }

    /// Waits until bash exits and every process left in its group is gone; returns bash's exit
    /// status (128 + signal when it was killed).
    public func wait() async -> Int32 {
        await finished()
    }

    /// Sends SIGTERM to the whole process group, then SIGKILL after `grace` if anything is left.
    public func terminate(grace: Duration) async {
        kill(-processGroup, SIGTERM)
        try? await Task.sleep(for: grace)
        kill(-processGroup, SIGKILL)
    }
}

/// Starts job processes: bash in a process group of its own, standard output and error merged
/// into one pipe, every byte passed through the secret masker before anyone sees it.
///
/// This is the one place `slipway run` spawns processes. It uses `posix_spawn` directly because
/// it needs what a general process library hides: a new process group, and knowing when bash
/// exits separately from when its output ends (a background child may hold the pipe open; the
/// executor kills what is left of the group once bash is gone, so no job process outlives its job).
public struct JobExecutor: Sendable {
    /// Creates an executor.
    public init() {}

    /// Starts `job`; `output` receives masked chunks of its output in order, on a background thread.
    public func start(_ job: ExecutableJob, output: @escaping @Sendable ([UInt8]) -> Void) throws(SpawnError)
        -> RunningJob
    {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw SpawnError(job: job.id, reason: String(cString: strerror(errno))) }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addclose(&actions, writeEnd)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A new process group (pgid = pid), default signal handling, nothing blocked.
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let arguments: [String]
        if FileManager.default.fileExists(atPath: job.directory), let addChdir = Self.addChdir,
            addChdir(&actions, job.directory) == 0
        {
            arguments = ["bash", "--noprofile", "--norc", "-euo", "pipefail", "-c", job.script]
        } else {
            // Without posix_spawn_file_actions_addchdir_np (or for a missing directory, which bash
            // then reports), a first bash enters the directory and replaces itself with the job's
            // bash, keeping the pid and so the process group.
            arguments = [
                "bash", "--noprofile", "--norc", "-c",
                "cd -- \"$0\" && exec bash --noprofile --norc -euo pipefail -c \"$1\"",
                job.directory, job.script,
            ]
        }
        let environment = job.environment.map { "\($0.key)=\($0.value)" }.sorted()
        var pid: pid_t = 0
        let status = withCStrings(arguments) { argv in
            withCStrings(environment) { envp in
                posix_spawnp(&pid, "bash", &actions, &attributes, argv, envp)
            }
        }
        close(writeEnd)
        guard status == 0 else {
            close(readEnd)
            throw SpawnError(job: job.id, reason: String(cString: strerror(status)))
        }

        let secrets = job.secretValues
        let group = pid
        // Read until every holder of the pipe is gone; mask on the way.
        let reading = Task.detached {
            await Self.blocking {
                var masker = SecretMasker(values: secrets)
                var buffer = [UInt8](repeating: 0, count: 64 * 1024)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 { break }
                    let masked = masker.process(Array(buffer[0..<count]))
                    if !masked.isEmpty { output(masked) }
                }
                let rest = masker.finish()
                if !rest.isEmpty { output(rest) }
                close(readEnd)
            }
        }
        let waiting = Task.detached { () -> Int32 in
            let code = await Self.blocking { () -> Int32 in
                var status: Int32 = 0
                while waitpid(group, &status, 0) < 0 && errno == EINTR {}
                // Whatever bash left behind in its group goes with it.
                kill(-group, SIGKILL)
                return Self.exitCode(status)
            }
            await reading.value
            return code
        }
        return RunningJob(processGroup: pid) { await waiting.value }
    }

    private typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), which Swift's Glibc module does not
    /// import; looked up at run time so a missing symbol only costs an extra bash.
    private static let addChdir: AddChdir? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

    /// Runs blocking system calls on a thread of their own, not on Swift's cooperative pool.
    private static func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: work()) }
        }
    }

    /// The shell's view of a wait status: the exit code, or 128 + the signal.
    static func exitCode(_ status: Int32) -> Int32 {
        let signal = status & 0x7F
        if signal == 0 { return (status >> 8) & 0xFF }
        return 128 + signal
    }
}

/// Calls `body` with a NULL-terminated C array of the strings.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
