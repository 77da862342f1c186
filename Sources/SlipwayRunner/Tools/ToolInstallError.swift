import SlipwayCore

/// Why a pinned tool could not be installed or its digest could not be read; nothing was
/// installed.
public enum ToolInstallError: Error, Sendable, Hashable {
    /// The project publishes no release of the tool for this platform.
    case notPublished(tool: String, version: String, platform: String)
    /// `slipway.yml` pins no digest for this platform, so the download cannot be verified.
    case noDigest(tool: String, version: String, platform: String)
    /// The download failed: the server is unreachable, the asset is missing, or it broke off.
    case downloadFailed(tool: String, url: String, reason: String)
    /// The archive is not the one `slipway.yml` pins.
    case checksumMismatch(tool: String, url: String, expected: String, actual: String)
    /// The published checksum file does not list the asset.
    case notInChecksumFile(tool: String, asset: String, url: String)
    /// The archive could not be unpacked.
    case unpackFailed(tool: String, url: String, reason: String)
    /// The archive has no executable where the catalog (or `binary:`) says.
    case executableMissing(tool: String, url: String, path: String)
    /// A program the install needs (curl, unzip, tar) is not on `PATH`.
    case prerequisiteMissing(tool: String, command: String)
    /// The cache directory could not be written.
    case cacheUnwritable(path: String, reason: String)

    /// What happened, in one line.
    public var message: String {
        switch self {
        case .notPublished(let tool, let version, let platform):
            return "\(tool) \(version) has no official release for \(platform)"
        case .noDigest(let tool, let version, let platform):
            return
                "slipway.yml pins no SHA-256 for \(tool) \(version) on \(platform), so its download cannot be verified"
        case .downloadFailed(let tool, let url, let reason):
            return "could not download \(tool) from \(url): \(reason)"
        case .checksumMismatch(let tool, let url, let expected, let actual):
            return
                "\(tool) from \(url) is not the release slipway.yml pins: its SHA-256 is \(actual), slipway.yml says \(expected)"
        case .notInChecksumFile(let tool, let asset, let url):
            return "the checksum file of \(tool), \(url), does not list \(asset)"
        case .unpackFailed(let tool, let url, let reason):
            return "could not unpack \(tool) from \(url): \(reason)"
        case .executableMissing(let tool, let url, let path):
            return "the archive \(url) has no executable at \(path) for \(tool)"
        case .prerequisiteMissing(let tool, let command):
            return "installing \(tool) needs \(command), which is not on PATH"
        case .cacheUnwritable(let path, let reason):
            return "cannot write the tool cache \(path): \(reason)"
        }
    }

    /// What to do about it.
    public var notes: [String] {
        switch self {
        case .notPublished:
            return ["install it another way and put it on PATH, or run the jobs that use it in CI"]
        case .noDigest:
            return [
                "run `slipway tools lock` (it reads the official checksums into slipway.yml), then commit slipway.yml"
            ]
        case .downloadFailed:
            return [
                "check the network (or \(ToolMirror.variable), if you use a mirror) and that this version exists; an install installs nothing, a lock keeps the old digest"
            ]
        case .checksumMismatch:
            return [
                "nothing was installed",
                "if you changed the version in slipway.yml, run `slipway tools lock` to read the new release's checksums; otherwise the download was altered, so do not use it",
            ]
        case .notInChecksumFile:
            return [
                "check the version, or give the tool a 'checksums:' URL that lists this file; the old digest, if any, is kept"
            ]
        case .unpackFailed, .executableMissing:
            return ["nothing was installed; for a tool you declared, check 'url' and 'binary' under 'tools'"]
        case .prerequisiteMissing(_, let command):
            let alternative = command == "unzip" ? " or python3" : ""
            return [
                "install \(command)\(alternative) (Debian and Ubuntu: apt-get install \(command)), then run it again"
            ]
        case .cacheUnwritable:
            return ["check that .slipway/ is writable and the disk has space"]
        }
    }
}
