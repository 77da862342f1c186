/// Reads the digest of one release asset out of a published checksum file.
///
/// Projects publish either a `sha256sum`-style list (`<digest>  <name>` per asset, `*name` in
/// binary mode, sometimes with a `./` or directory before the name) or a file with the one asset's
/// digest, alone or followed by its name.
public enum ChecksumFile {
    /// The lowercase SHA-256 that `text` gives for `asset`, or `nil` when it lists other assets
    /// only, or has no digest at all.
    public static func digest(for asset: String, in text: String) -> String? {
        var entries: [(digest: String, name: String?)] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = fields.first, ToolPinRules.isSHA256(String(first)) else { continue }
            var name = fields.dropFirst().first.map(String.init)
            if let named = name {
                var trimmed = Substring(named)
                if trimmed.hasPrefix("*") { trimmed = trimmed.dropFirst() }
                name = trimmed.split(separator: "/").last.map(String.init) ?? String(trimmed)
            }
            entries.append((first.lowercased(), name))
        }
        if let match = entries.first(where: { $0.name == asset }) { return match.digest }
        if entries.count == 1, entries[0].name == nil { return entries[0].digest }
        return nil
    }
}

/// Where a tool's release is fetched from when a mirror stands in for the projects' hosts.
///
/// `SLIPWAY_TOOL_MIRROR=https://mirror.example/tools` fetches
/// `https://releases.hashicorp.com/terraform/…` from
/// `https://mirror.example/tools/releases.hashicorp.com/terraform/…`: the upstream host becomes
/// the first path segment, as generic remote repositories (Artifactory, Nexus) lay mirrors out.
/// The digest pinned in `slipway.yml` is checked all the same. The generated CI's install step
/// rewrites URLs the same way.
public enum ToolMirror {
    /// The environment variable that names the mirror.
    public static let variable = "SLIPWAY_TOOL_MIRROR"

    /// `url` fetched through `mirror`, or `url` itself when there is none.
    public static func url(_ url: String, mirror: String?) -> String {
        guard let mirror, !mirror.isEmpty else { return url }
        // One trailing slash goes, as `${SLIPWAY_TOOL_MIRROR%/}` drops it in the generated step.
        let base = mirror.hasSuffix("/") ? String(mirror.dropLast()) : mirror
        let rest = url.hasPrefix("https://") ? String(url.dropFirst("https://".count)) : url
        return "\(base)/\(rest)"
    }
}
