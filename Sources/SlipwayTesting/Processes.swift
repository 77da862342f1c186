import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Looks at the machine's processes, for tests that check nothing outlives a job.
public enum Processes {
    /// Whether a process whose command line contains `text` is alive (Linux `/proc`).
    public static func alive(matching text: String) -> Bool {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return false }
        return entries.contains { entry in
            guard Int(entry) != nil, let commandLine = commandLine(of: entry) else { return false }
            return commandLine.contains(text)
        }
    }

    /// Whether every process matching `text` is gone within `timeout`: a killed process takes
    /// a moment to leave `/proc`.
    public static func gone(matching text: String, within timeout: Duration = .seconds(3)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while alive(matching: text) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    /// A process's arguments joined by spaces.
    ///
    /// `/proc` files report a size of zero, so this reads with plain `read(2)` until the end
    /// instead of trusting the size.
    private static func commandLine(of pid: String) -> String? {
        let descriptor = open("/proc/\(pid)/cmdline", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
    }
}

extension Process {
    /// Waits for the process to exit without blocking a thread of Swift's cooperative pool (which
    /// `waitUntilExit` would, starving other tests on a small machine); polls for at most `limit`.
    public func exited(within limit: Duration = .seconds(120)) async {
        let start = ContinuousClock.now
        while isRunning && ContinuousClock.now - start < limit {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
