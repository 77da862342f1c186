import Crypto

/// Where an installed tool lives under the tool cache, the same in CI (the generated install
/// step) and on a workstation (`slipway tools install`).
///
/// ```
/// .slipway/tools/
///   downloads/<sha256>             verified release archives, named by their digest
///   <name>/<version>/<platform>/
///     files/                       the release archive, unpacked
///     bin/<name>                   a link to the executable in files/: what goes first on PATH
///     sha256                       the archive's digest
/// ```
///
/// CI platforms cache `downloads/` only, and every job re-verifies the archive it restores
/// against the digest in the generated file before unpacking it afresh: a cache written by a
/// less trusted run (a pull request's branch, where a platform shares caches) can hold anything,
/// so nothing unpacked is ever taken from it.
public enum ToolCacheLayout {
    /// The cache's path relative to the repository root.
    public static let root = ".slipway/tools"

    /// The directory of one tool release, relative to the cache.
    public static func directory(_ tool: PinnedTool, _ platform: ToolPlatform) -> String {
        "\(tool.name)/\(tool.version)/\(platform.key)"
    }

    /// The unpacked archive, inside a release's directory.
    public static let files = "files"
    /// The directory with the link to the executable, inside a release's directory.
    public static let bin = "bin"
    /// The file with the archive's digest, inside a release's directory.
    public static let digest = "sha256"
    /// The directory of verified archives, named by their digest, relative to the cache.
    public static let downloads = "downloads"
    /// The prefix of a download in progress, directly in the cache.
    public static let partialPrefix = ".partial-"
}

extension ToolCacheLayout {
    /// The name a CI platform's cache of `tools` goes by: `slipway-tools-` and a digest of their
    /// names, versions and pinned digests, so a version bump or a new digest starts a new cache
    /// instead of reusing (or, where caches are immutable, being stuck with) the old one.
    public static func cacheKey(for tools: [PinnedTool]) -> String {
        var input = ""
        for tool in tools.sorted(by: { $0.name < $1.name }) {
            input += "\(tool.name)\u{0}\(tool.version)\u{0}"
            for platform in tool.lockedPlatforms {
                input += "\(platform.key)=\(tool.release(for: platform)?.sha256 ?? "")\u{0}"
            }
            input += "\n"
        }
        let digest = SHA256.hash(data: Array(input.utf8)).prefix(8).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }
        return "slipway-tools-\(digest.joined())"
    }
}
