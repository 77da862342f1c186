/// An operating system and processor that a tool's releases are built for, keyed as Go spells
/// them (`linux-amd64`), which is how most of these tools name their release assets.
public struct ToolPlatform: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The operating system, as Go's `GOOS` spells it: `linux` or `darwin`.
    public let os: String
    /// The processor, as Go's `GOARCH` spells it: `amd64` or `arm64`.
    public let arch: String

    /// Linux on x86-64: the hosted runners of GitHub, GitLab and Bitbucket.
    public static let linuxAMD64 = ToolPlatform(os: "linux", arch: "amd64")
    /// Linux on 64-bit ARM: GitHub's and GitLab's ARM runners, Bitbucket's ARM runners.
    public static let linuxARM64 = ToolPlatform(os: "linux", arch: "arm64")
    /// macOS on Intel.
    public static let darwinAMD64 = ToolPlatform(os: "darwin", arch: "amd64")
    /// macOS on Apple silicon.
    public static let darwinARM64 = ToolPlatform(os: "darwin", arch: "arm64")

    /// Every platform Slipway installs tools on, in the order lock files list them.
    public static let all: [ToolPlatform] = [.linuxAMD64, .linuxARM64, .darwinAMD64, .darwinARM64]

    /// The platform this Slipway binary was built for.
    public static var current: ToolPlatform {
        #if os(macOS)
            let os = "darwin"
        #else
            let os = "linux"
        #endif
        #if arch(arm64)
            return ToolPlatform(os: os, arch: "arm64")
        #else
            return ToolPlatform(os: os, arch: "amd64")
        #endif
    }

    /// The key `slipway.yml` uses for it: `linux-amd64`.
    public var key: String { "\(os)-\(arch)" }

    public var description: String { key }

    /// The platform with this key (`linux-amd64`), if Slipway knows it.
    public init?(key: String) {
        guard let platform = Self.all.first(where: { $0.key == key }) else { return nil }
        self = platform
    }

    private init(os: String, arch: String) {
        self.os = os
        self.arch = arch
    }

    public static func < (lhs: ToolPlatform, rhs: ToolPlatform) -> Bool {
        (all.firstIndex(of: lhs) ?? 0) < (all.firstIndex(of: rhs) ?? 0)
    }
}
