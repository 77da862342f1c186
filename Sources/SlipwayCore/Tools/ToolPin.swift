/// One entry of `tools:` in `slipway.yml`, as written: a version, and what is known about its
/// release archives.
///
/// `terraform: 1.11.4` is the short form; the long form adds the SHA-256 of each platform's
/// release archive (`sha256: {linux-amd64: …}`, which `slipway tools lock` fills in) and, for a
/// tool the built-in catalog does not know or a mirror of one it does, where its releases live.
public struct ToolPin: Sendable, Hashable {
    /// The command's name, the key under `tools` (`terraform`).
    public var name: String
    /// The pinned version, without a leading `v` (`1.11.4`).
    public var version: String
    /// The SHA-256 of the release archive, per platform, as 64 lowercase hex digits.
    public var sha256: [ToolPlatform: String]
    /// Where the archive lives: a URL template with `{version}`, `{os}` and `{arch}`; `nil` takes
    /// the catalog's.
    public var url: String?
    /// Where the checksum file lives, as a template like `url`; `nil` takes the catalog's.
    public var checksums: String?
    /// The executable's path inside the archive, as a template; `nil` takes the catalog's, or the
    /// tool's name at the archive's top.
    public var binary: String?
    /// The arguments that make it print its version; `nil` takes the catalog's, or `--version`.
    public var versionArgs: [String]?
    /// Spellings the release assets use instead of Go's (`amd64: x86_64`).
    public var replacements: [String: String]

    /// Creates a pin.
    public init(
        name: String, version: String, sha256: [ToolPlatform: String] = [:], url: String? = nil,
        checksums: String? = nil, binary: String? = nil, versionArgs: [String]? = nil,
        replacements: [String: String] = [:]
    ) {
        self.name = name
        self.version = version
        self.sha256 = sha256
        self.url = url
        self.checksums = checksums
        self.binary = binary
        self.versionArgs = versionArgs
        self.replacements = replacements
    }

    /// Whether it says more than its version, so `slipway.yml` needs the long form for it.
    public var needsLongForm: Bool {
        !sha256.isEmpty || url != nil || checksums != nil || binary != nil || versionArgs != nil
            || !replacements.isEmpty
    }

    /// Takes the digests a lock read; returns which changed and which were removed.
    ///
    /// When one differs from what the pin had, the pin held another release's digests (a version
    /// bump, or a release replaced upstream), so those of platforms not read now are removed too.
    public mutating func lock(_ read: [ToolPlatform: String]) -> (changed: [ToolPlatform], removed: [ToolPlatform]) {
        let changed = read.keys.filter { platform in sha256[platform].map { $0 != read[platform] } ?? false }
            .sorted()
        sha256.merge(read) { _, new in new }
        guard !changed.isEmpty else { return ([], []) }
        let removed = sha256.keys.filter { read[$0] == nil }.sorted()
        for platform in removed { sha256[platform] = nil }
        return (changed, removed)
    }
}
