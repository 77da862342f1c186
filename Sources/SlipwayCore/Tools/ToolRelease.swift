/// How a release asset is packed.
public enum ArchiveFormat: String, Sendable, Hashable {
    /// A zip archive.
    case zip
    /// A gzip-compressed tar archive.
    case tarGzip = "tar.gz"
    /// The executable itself.
    case binary

    /// The format a URL's file name says (`.zip`, `.tar.gz` or `.tgz`; anything else is the
    /// executable itself).
    public init(url: String) {
        let name = ToolRelease.fileName(of: url)
        if name.hasSuffix(".zip") {
            self = .zip
        } else if name.hasSuffix(".tar.gz") || name.hasSuffix(".tgz") {
            self = .tarGzip
        } else {
            self = .binary
        }
    }
}

/// One platform's release of a pinned tool: where it lives, how it is packed, and the digest it
/// must have.
public struct ToolRelease: Sendable, Hashable {
    /// The archive's URL.
    public let url: String
    /// How the archive is packed.
    public let format: ArchiveFormat
    /// The executable's path inside the archive (for `binary`, the tool's name).
    public let executable: String
    /// The SHA-256 that `slipway.yml` pins for it, if any.
    public let sha256: String?
    /// Where the project publishes the archive's checksum, if it does.
    public let checksumsURL: String?

    /// Creates a release.
    public init(url: String, format: ArchiveFormat, executable: String, sha256: String?, checksumsURL: String?) {
        self.url = url
        self.format = format
        self.executable = executable
        self.sha256 = sha256
        self.checksumsURL = checksumsURL
    }

    /// The archive's file name, as checksum files list it.
    public var assetName: String { Self.fileName(of: url) }

    /// The last path segment of `url`, without a query.
    static func fileName(of url: String) -> String {
        let path = url.split(separator: "?").first.map(String.init) ?? url
        return path.split(separator: "/").last.map(String.init) ?? path
    }
}

/// Placeholders in a tool's URL, checksum and binary templates.
public enum ToolTemplate {
    /// The placeholders a template may use.
    public static let placeholders = ["version", "os", "arch"]

    /// `template` with `{version}`, `{os}` and `{arch}` filled in, `os` and `arch` spelt as
    /// `replacements` say.
    public static func expand(
        _ template: String, version: String, platform: ToolPlatform, replacements: [String: String]
    ) -> String {
        template
            .replacingOccurrences(of: "{version}", with: version)
            .replacingOccurrences(of: "{os}", with: replacements[platform.os] ?? platform.os)
            .replacingOccurrences(of: "{arch}", with: replacements[platform.arch] ?? platform.arch)
    }

    /// The `{…}` placeholders in `template` that are not `{version}`, `{os}` or `{arch}`.
    public static func unknownPlaceholders(in template: String) -> [String] {
        var unknown: [String] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { break }
            let name = String(after[..<close])
            if !placeholders.contains(name) { unknown.append(name) }
            rest = after[after.index(after: close)...]
        }
        return unknown
    }
}
