import Foundation
import SlipwayCore
import SlipwayGenerators

/// The one place Slipway writes generated files: atomically, and never touching a file whose
/// bytes would not change (so timestamps and editors stay calm).
struct FileWriter {
    /// What happened to one file.
    enum Outcome: Equatable {
        case created
        case updated
        case unchanged
    }

    /// The directory generated paths are relative to.
    let root: String

    /// Writes every file that differs; returns each path with its outcome.
    func write(_ files: [GeneratedFile]) throws -> [(path: String, outcome: Outcome)] {
        try files.map { file in
            let url = URL(fileURLWithPath: root).appendingPathComponent(file.path)
            let data = Data(file.contents.utf8)
            let existing = FileManager.default.contents(atPath: url.path)
            if existing == data { return (file.path, .unchanged) }
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            // `.atomic` writes a temporary file beside the target and renames it over the target.
            try data.write(to: url, options: .atomic)
            return (file.path, existing == nil ? .created : .updated)
        }
    }

    /// Removes the file at `path` (relative to the root); false when there was none.
    func remove(_ path: String) throws -> Bool {
        let url = URL(fileURLWithPath: root).appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else { return false }
        try FileManager.default.removeItem(at: url)
        return true
    }

    /// The files whose contents on disk differ from what would be generated, with a unified diff each.
    func differences(_ files: [GeneratedFile]) -> [(path: String, diff: String)] {
        files.compactMap { file in
            let path = URL(fileURLWithPath: root).appendingPathComponent(file.path).path
            let current = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
            if current == file.contents { return nil }
            return (
                file.path,
                UnifiedDiff.render(
                    old: current ?? "", new: file.contents, oldName: "a/\(file.path)", newName: "b/\(file.path)",
                    oldMissing: current == nil)
            )
        }
    }
}
