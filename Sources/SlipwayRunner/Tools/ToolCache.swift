import Foundation
import SlipwayCore

/// The repository's tool cache under `.slipway/tools` (`ToolCacheLayout`): which pinned releases
/// it holds, and the `PATH` that puts them first.
public struct ToolCache: Sendable {
    /// The cache directory, absolute.
    public let root: String
    /// The platform whose releases it holds.
    public let platform: ToolPlatform

    /// The cache of the repository whose state lives in `state`.
    public init(state: StateDirectory, platform: ToolPlatform = .current) {
        self.root = state.tools
        self.platform = platform
    }

    /// The directory of `tool`'s pinned release.
    public func directory(for tool: PinnedTool) -> String {
        "\(root)/\(ToolCacheLayout.directory(tool, platform))"
    }

    /// The directory holding the link to `tool`'s executable, when the cache holds exactly the
    /// release `slipway.yml` pins (same version, same digest).
    public func installed(_ tool: PinnedTool) -> String? {
        guard let expected = tool.release(for: platform)?.sha256 else { return nil }
        let directory = directory(for: tool)
        guard let data = FileManager.default.contents(atPath: "\(directory)/\(ToolCacheLayout.digest)"),
            String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == expected
        else { return nil }
        let bin = "\(directory)/\(ToolCacheLayout.bin)"
        return FileManager.default.isExecutableFile(atPath: "\(bin)/\(tool.name)") ? bin : nil
    }

    /// Removes `.partial-` directories an install or lock abandoned (killed before it could clean
    /// up) more than an hour ago; younger ones may belong to an install still running.
    public func sweepAbandonedPartials(now: Date = Date()) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        where isAbandonedPartial(name, now: now) {
            try? FileManager.default.removeItem(atPath: "\(root)/\(name)")
        }
    }

    /// Whether `name`, in the cache, is a `.partial-` directory last touched over an hour before
    /// `now`: younger ones may belong to an install running now.
    private func isAbandonedPartial(_ name: String, now: Date) -> Bool {
        guard name.hasPrefix(ToolCacheLayout.partialPrefix) else { return false }
        let attributes = try? FileManager.default.attributesOfItem(atPath: "\(root)/\(name)")
        guard let modified = attributes?[.modificationDate] as? Date else { return false }
        return now.timeIntervalSince(modified) > 3600
    }

    /// Removes every release and verified archive that `tools` do not pin, for any platform, and
    /// every partial install abandoned over an hour ago; returns what it removed, relative to the
    /// cache.
    public func prune(keeping tools: [PinnedTool], now: Date = Date()) throws -> [String] {
        let manager = FileManager.default
        var removed: [String] = []
        func remove(_ relative: String) throws {
            try manager.removeItem(atPath: "\(root)/\(relative)")
            removed.append(relative)
        }
        let pinned = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let digests = Set(tools.flatMap { tool in tool.lockedPlatforms.compactMap { tool.release(for: $0)?.sha256 } })
        for name in ((try? manager.contentsOfDirectory(atPath: root)) ?? []).sorted() {
            if name.hasPrefix(ToolCacheLayout.partialPrefix) {
                if isAbandonedPartial(name, now: now) { try remove(name) }
            } else if name == ToolCacheLayout.downloads {
                for file in try manager.contentsOfDirectory(atPath: "\(root)/\(name)").sorted()
                where !digests.contains(file) {
                    try remove("\(name)/\(file)")
                }
            } else if let tool = pinned[name] {
                for version in try manager.contentsOfDirectory(atPath: "\(root)/\(name)").sorted() {
                    guard version == tool.version else {
                        try remove("\(name)/\(version)")
                        continue
                    }
                    for platform in try manager.contentsOfDirectory(atPath: "\(root)/\(name)/\(version)").sorted() {
                        let digest = ToolPlatform(key: platform).flatMap { tool.release(for: $0)?.sha256 }
                        let marker = manager.contents(
                            atPath: "\(root)/\(name)/\(version)/\(platform)/\(ToolCacheLayout.digest)")
                        let held = marker.map {
                            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                        }
                        if digest == nil || held != digest { try remove("\(name)/\(version)/\(platform)") }
                    }
                }
            } else {
                try remove(name)
            }
        }
        return removed
    }

    /// `base` with the cached pinned releases of `tools` before it, in the order given: what
    /// `slipway run` and `slipway doctor` look tools up on.
    public func path(for tools: [PinnedTool], before base: String?) -> String {
        let cached = tools.compactMap(installed)
        return (cached + [base].compactMap { $0 }.filter { !$0.isEmpty }).joined(separator: ":")
    }
}
