import Foundation
import SlipwayRunner

/// Reports a run on a terminal: one live line per running job (elapsed time and its last output
/// line), a permanent line as each job ends, and a summary table at the end.
final class LiveRunReporter: RunReporting, @unchecked Sendable {
    private struct Running {
        var started: ContinuousClock.Instant
        var attempt: Int
        var lastLine: String
    }

    private let terminal: Terminal
    private let logs: RunLogs?
    private let lock = NSLock()
    private var running: [(job: String, state: Running)] = []
    private var results: [(job: String, result: String, duration: Duration?)] = []
    private var drawn = 0
    private var paused = false
    private var timer: (any DispatchSourceTimer)?

    init(terminal: Terminal, logs: RunLogs?) {
        self.terminal = terminal
        self.logs = logs
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now(), repeating: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.lock.withLock { self?.redraw() } }
        timer.resume()
        self.timer = timer
    }

    private var palette: Palette { terminal.out }

    private var width: Int {
        var size = winsize()
        return ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 20 ? Int(size.ws_col) : 80
    }

    /// Erases the live lines (call with the lock held).
    private func erase() {
        guard drawn > 0 else { return }
        terminal.write("\u{1B}[\(drawn)A\r\u{1B}[J")
        drawn = 0
    }

    /// Draws the live lines again (call with the lock held).
    private func redraw() {
        guard !paused else { return }
        erase()
        let now = ContinuousClock.now
        var text = ""
        for (job, state) in running {
            let elapsed = LineRunReporter.format(now - state.started)
            let head = "  \(job)  \(elapsed)  "
            let room = max(0, width - head.count - 1)
            text +=
                palette.bold("  \(job)") + "  " + palette.dim(elapsed) + "  "
                + palette.dim(String(state.lastLine.prefix(room))) + "\n"
        }
        terminal.write(text)
        drawn = running.count
    }

    /// Prints a permanent line above the live ones (call with the lock held).
    private func print(_ line: String) {
        erase()
        terminal.write(line + "\n")
        redraw()
    }

    /// Stops drawing while someone is asked a question.
    func pause() {
        lock.withLock {
            erase()
            paused = true
        }
    }

    func resume() {
        lock.withLock {
            paused = false
            redraw()
        }
    }

    func jobStarted(_ job: String, attempt: Int) {
        lock.withLock {
            running.removeAll { $0.job == job }
            running.append(
                (job, Running(started: .now, attempt: attempt, lastLine: attempt > 1 ? "attempt \(attempt)" : "")))
            redraw()
        }
    }

    func jobOutput(_ job: String, _ bytes: [UInt8]) {
        // Only the last complete or partial line matters here; the log has everything.
        var end = bytes.endIndex
        while end > bytes.startIndex, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        guard end > bytes.startIndex else { return }
        let start = bytes[..<end].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.startIndex
        let line = String(decoding: bytes[start..<end], as: UTF8.self).filter { !$0.isNewline && $0 != "\u{1B}" }
        lock.withLock {
            if let index = running.firstIndex(where: { $0.job == job }) { running[index].state.lastLine = line }
        }
    }

    func jobFinished(_ job: String, outcome: AttemptOutcome, duration: Duration) {
        lock.withLock {
            let attempt = running.first { $0.job == job }?.state.attempt ?? 1
            running.removeAll { $0.job == job }
            let time = LineRunReporter.format(duration)
            let log = logs.map { " (log: \($0.path(job: job, attempt: attempt)))" } ?? ""
            let (mark, result): (String, String)
            switch outcome {
            case .succeeded: (mark, result) = (palette.success("✓"), "succeeded")
            case .failed(let code): (mark, result) = (palette.error("✗"), "failed with exit code \(code)")
            case .timedOut: (mark, result) = (palette.error("✗"), "timed out")
            case .interrupted: (mark, result) = (palette.warning("!"), "interrupted")
            }
            print("\(mark) \(job)  \(result) in \(time)\(outcome == .succeeded ? "" : log)")
            results.removeAll { $0.job == job }
            results.append((job, result, duration))
        }
    }

    func jobSkipped(_ job: String, cause: SkipCause) {
        let reason = RunWords.cause(cause)
        lock.withLock {
            print(palette.dim("- \(job)  skipped: \(reason)"))
            results.append((job, "skipped: \(reason)", nil))
        }
    }

    func jobAwaitsApproval(_ job: String) {
        lock.withLock {
            print(palette.warning("?") + " \(job)  waiting for approval")
            results.append((job, "waiting for approval", nil))
        }
    }

    func jobApproved(_ job: String) {
        lock.withLock { results.removeAll { $0.job == job && $0.result == "waiting for approval" } }
    }

    func runFinished(_ outcome: RunOutcome) {
        lock.withLock {
            timer?.cancel()
            timer = nil
            erase()
            paused = true
            terminal.write(LineRunReporter.summary(results))
        }
    }
}
