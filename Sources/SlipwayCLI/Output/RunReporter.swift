import Foundation
import SlipwayRunner

/// Reports a run as `[job] …` lines, suitable for CI logs: output is printed line by line with
/// its job's name, and a summary table closes the run.
final class LineRunReporter: RunReporting, @unchecked Sendable {
    private let terminal: Terminal
    private let logs: RunLogs?
    private let lock = NSLock()
    private var partial: [String: [UInt8]] = [:]
    private var attempts: [String: Int] = [:]
    private var results: [(job: String, result: String, duration: Duration?)] = []

    private let attemptBase: [String: Int]

    init(terminal: Terminal, logs: RunLogs?, attemptBase: [String: Int] = [:]) {
        self.terminal = terminal
        self.logs = logs
        self.attemptBase = attemptBase
    }

    private func emit(_ job: String, _ text: String) {
        terminal.write("[\(job)] \(text)\n")
    }

    func jobStarted(_ job: String, attempt: Int) {
        lock.withLock {
            attempts[job] = attempt
            emit(job, attempt > 1 ? "started (attempt \(attempt))" : "started")
        }
    }

    func jobOutput(_ job: String, _ bytes: [UInt8]) {
        // Bytes in, bytes out, one write per chunk: a job may print gigabytes.
        let prefix = Array("[\(job)] ".utf8)
        lock.withLock {
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count + bytes.count / 8)
            var pending = partial.removeValue(forKey: job) ?? []
            var start = 0
            while start < bytes.count, let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
                output += prefix
                if !pending.isEmpty {
                    output += pending
                    pending.removeAll()
                }
                output += bytes[start...newline]
                start = newline + 1
            }
            pending += bytes[start...]
            if !pending.isEmpty { partial[job] = pending }
            if !output.isEmpty { terminal.write(bytes: output) }
        }
    }

    func jobFinished(_ job: String, outcome: AttemptOutcome, duration: Duration) {
        lock.withLock {
            if let rest = partial.removeValue(forKey: job), !rest.isEmpty {
                emit(job, String(decoding: rest, as: UTF8.self))
            }
            let time = Self.format(duration)
            let attempt = (attemptBase[job] ?? 0) + (attempts[job] ?? 1)
            let log = logs.map { " (log: \($0.path(job: job, attempt: attempt)))" } ?? ""
            let result: String
            switch outcome {
            case .succeeded: result = "succeeded"
            case .failed(let code): result = "failed with exit code \(code)"
            case .timedOut: result = "timed out"
            case .interrupted: result = "interrupted"
            }
            emit(job, "\(result) in \(time)\(outcome == .succeeded ? "" : log)")
            results.removeAll { $0.job == job }
            results.append((job, result, duration))
        }
    }

    func jobSkipped(_ job: String, cause: SkipCause) {
        let reason = RunWords.cause(cause)
        lock.withLock {
            emit(job, "skipped: \(reason)")
            results.append((job, "skipped: \(reason)", nil))
        }
    }

    func jobAwaitsApproval(_ job: String) {
        lock.withLock {
            emit(job, "waiting for approval")
            results.append((job, "waiting for approval", nil))
        }
    }

    func runFinished(_ outcome: RunOutcome) {
        lock.withLock { terminal.write(Self.summary(results)) }
    }

    /// The table that closes a run: each job, its result and how long it took.
    static func summary(_ results: [(job: String, result: String, duration: Duration?)]) -> String {
        guard !results.isEmpty else { return "" }
        let width = results.map(\.job.count).max() ?? 0
        var table = "\n"
        for entry in results {
            let time = entry.duration.map { "  " + format($0) } ?? ""
            table +=
                "  " + entry.job.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + entry.result + time
                + "\n"
        }
        return table
    }

    static func format(_ duration: Duration) -> String {
        let seconds = duration.seconds
        return seconds < 60 ? String(format: "%.1fs", seconds) : "\(Int(seconds) / 60)m\(Int(seconds) % 60)s"
    }
}

/// Reports a run as one JSON object per line, for tools.
///
/// Every event names the run (`run`). The first is `run_started` (the event the run is for and its
/// jobs in execution order); a job's output comes as one `job_output` event per line (`line`,
/// without its newline; a last line without one is flushed when the attempt ends); durations are
/// `seconds` as a number.
final class JSONRunReporter: RunReporting, @unchecked Sendable {
    private let terminal: Terminal
    private let runID: String
    private let lock = NSLock()
    /// Output of each job since its last newline.
    private var partial: [String: [UInt8]] = [:]

    init(terminal: Terminal, runID: String) {
        self.terminal = terminal
        self.runID = runID
    }

    private func emit(_ fields: [String: Any]) {
        var fields = fields
        fields["run"] = runID
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        else {
            return
        }
        terminal.write(String(decoding: data, as: UTF8.self) + "\n")
    }

    /// The first event: what the run is for and which jobs it runs.
    func runStarted(event: String, jobs: [String]) {
        lock.withLock { emit(["event": "run_started", "trigger": event, "jobs": jobs]) }
    }

    func jobStarted(_ job: String, attempt: Int) {
        lock.withLock { emit(["event": "job_started", "job": job, "attempt": attempt]) }
    }

    func jobOutput(_ job: String, _ bytes: [UInt8]) {
        lock.withLock {
            var pending = partial[job, default: []] + bytes
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                emit([
                    "event": "job_output", "job": job,
                    "line": String(decoding: pending[start..<newline], as: UTF8.self),
                ])
                start = newline + 1
            }
            pending.removeSubrange(..<start)
            partial[job] = pending
        }
    }

    func jobFinished(_ job: String, outcome: AttemptOutcome, duration: Duration) {
        lock.withLock {
            if let rest = partial.removeValue(forKey: job), !rest.isEmpty {
                emit(["event": "job_output", "job": job, "line": String(decoding: rest, as: UTF8.self)])
            }
            var fields: [String: Any] = ["event": "job_finished", "job": job, "seconds": Self.seconds(duration)]
            switch outcome {
            case .succeeded: fields["result"] = "succeeded"
            case .failed(let code):
                fields["result"] = "failed"
                fields["exit_code"] = code
            case .timedOut: fields["result"] = "timed_out"
            case .interrupted: fields["result"] = "interrupted"
            }
            emit(fields)
        }
    }

    func jobSkipped(_ job: String, cause: SkipCause) {
        var fields: [String: Any] = ["event": "job_skipped", "job": job, "reason": RunWords.cause(cause)]
        switch cause {
        case .upstream(let upstream, let ended):
            fields["upstream"] = upstream
            fields["upstream_result"] = ended.rawValue
        }
        lock.withLock { emit(fields) }
    }

    func jobAwaitsApproval(_ job: String) { lock.withLock { emit(["event": "job_awaiting_approval", "job": job]) } }

    func runFinished(_ outcome: RunOutcome) {
        lock.withLock { emit(["event": "run_finished", "exit_code": outcome.exitCode]) }
    }

    /// A duration in seconds, to the millisecond.
    static func seconds(_ duration: Duration) -> Double {
        (duration.seconds * 1000).rounded() / 1000
    }
}

extension Duration {
    /// The duration in seconds, with its fraction.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
