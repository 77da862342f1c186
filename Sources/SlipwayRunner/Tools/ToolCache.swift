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

    /// `base` with the cached pinned releases of `tools` before it, in the order given: what
    /// `slipway run` and `slipway doctor` look tools up on.
    public func path(for tools: [PinnedTool], before base: String?) -> String {
        let cached = tools.compactMap(installed)
        return (cached + [base].compactMap { $0 }.filter { !$0.isEmpty }).joined(separator: ":")
    }
}
