import Foundation

/// Golden files under `Tests/Fixtures/<case>/`: compared byte for byte, re-recorded with
/// `RECORD_SNAPSHOTS=1`.
public enum Snapshot {
    /// The repository's `Tests/Fixtures` directory, found from this source file's location.
    public static var fixturesDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures").path
    }

    /// The path of `name` inside fixture case `fixture`.
    public static func path(_ fixture: String, _ name: String) -> String {
        "\(fixturesDirectory)/\(fixture)/\(name)"
    }

    /// Compares `actual` with the golden file, describing the first difference.
    ///
    /// Returns `nil` when they match. With `RECORD_SNAPSHOTS=1` it writes the golden file instead.
    public static func compare(_ actual: String, fixture: String, name: String) -> String? {
        let path = path(fixture, name)
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try? FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? Data(actual.utf8).write(to: URL(fileURLWithPath: path))
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return "no snapshot at \(path); record it with RECORD_SNAPSHOTS=1 swift test"
        }
        let expected = String(decoding: data, as: UTF8.self)
        if expected == actual { return nil }
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let first =
            zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(expectedLines.count, actualLines.count)
        let want = first < expectedLines.count ? String(expectedLines[first]) : "<end of file>"
        let got = first < actualLines.count ? String(actualLines[first]) : "<end of file>"
        return
            "\(path) differs at line \(first + 1):\n  expected: \(want)\n  actual:   \(got)\nre-record with RECORD_SNAPSHOTS=1 swift test if the change is intended"
    }
}
