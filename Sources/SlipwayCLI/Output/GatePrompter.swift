import Foundation
import SlipwayRunner

/// Asks at a gate on the terminal, one question at a time, with the live view paused.
actor GatePrompter {
    private let terminal: Terminal
    private let live: LiveRunReporter?

    init(terminal: Terminal, live: LiveRunReporter?) {
        self.terminal = terminal
        self.live = live
    }

    /// Asks whether `job` may run; anything but y or yes is no.
    func ask(_ job: String, detail: String) async -> Bool {
        live?.pause()
        defer { live?.resume() }
        terminal.writeError(terminal.err.warning("Approve \(job)") + " (\(detail))? [y/N] ")
        let answer = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: readLine() ?? "") }
        }
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
