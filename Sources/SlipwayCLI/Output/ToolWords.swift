import SlipwayCore
import SlipwayRunner

/// How a pinned tool's state is said in `run`'s and `doctor`'s messages.
enum ToolWords {
    /// `terraform 1.11.4, pinned in slipway.yml, but …`, or that it is in place.
    static func state(_ tool: PinnedTool, _ state: ToolState) -> String {
        let pinned = "\(tool.name) \(tool.version), pinned in slipway.yml"
        switch state {
        case .ok(let path):
            return "\(pinned), at \(path)"
        case .missing:
            return "\(pinned), but \(tool.name) is not on PATH"
        case .wrongVersion(let path, let printed):
            return "\(pinned), but `\(command(tool))` (\(path)) printed: \(printed)"
        case .broken(let path, let reason):
            return "\(pinned), but \(path) could not be started: \(reason)"
        }
    }

    /// The command that prints the tool's version.
    static func command(_ tool: PinnedTool) -> String {
        ([tool.name] + tool.versionArguments).joined(separator: " ")
    }

    /// `path` relative to the repository `root` when it lies inside it, as the output shows paths.
    static func shown(_ path: String, root: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }
}
