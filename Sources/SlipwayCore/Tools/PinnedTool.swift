/// A tool `slipway.yml` pins, resolved: its version, how to ask for it, and its release for each
/// platform, from the pin and the built-in catalog.
///
/// The generators' install steps, `slipway doctor` and `slipway tools install` all read these
/// facts, so a tool is fetched from the same URL and held to the same digest in CI and on a
/// workstation.
public struct PinnedTool: Sendable, Hashable {
    /// The command's name (`terraform`).
    public let name: String
    /// The pinned version (`1.11.4`).
    public let version: String
    /// The arguments that make the tool print its version (`version --client` for kubectl).
    public let versionArguments: [String]
    /// Its release for each platform it is published for.
    public let releases: [ToolPlatform: ToolRelease]

    /// Resolves `pin` through the catalog (`ToolCatalog`).
    ///
    /// The pin's own keys win over the catalog's; a tool neither knows has no releases.
    public init(_ pin: ToolPin) {
        let recipe = ToolCatalog.recipe(for: pin.name)
        self.name = pin.name
        self.version = pin.version
        self.versionArguments = pin.versionArgs ?? recipe?.versionArgs ?? ["--version"]
        var releases: [ToolPlatform: ToolRelease] = [:]
        if let url = pin.url ?? recipe?.url {
            let replacements = recipe.map { $0.replacements.merging(pin.replacements) { $1 } } ?? pin.replacements
            let platforms = pin.url == nil ? (recipe?.platforms ?? ToolPlatform.all) : ToolPlatform.all
            let checksums = pin.checksums ?? (pin.url == nil ? recipe?.checksums : nil)
            for platform in platforms {
                func expand(_ template: String) -> String {
                    ToolTemplate.expand(template, version: pin.version, platform: platform, replacements: replacements)
                }
                let address = expand(url)
                let format = ArchiveFormat(url: address)
                let binary = pin.binary ?? (pin.url == nil ? recipe?.binary : nil)
                releases[platform] = ToolRelease(
                    url: address, format: format,
                    executable: format == .binary ? pin.name : expand(binary ?? pin.name),
                    sha256: pin.sha256[platform], checksumsURL: checksums.map(expand))
            }
        }
        self.releases = releases
    }

    /// A tool pinned at `version` with nothing but the catalog's facts.
    public init(name: String, version: String) {
        self.init(ToolPin(name: name, version: version))
    }

    /// Its release for `platform`, when it is published for it.
    public func release(for platform: ToolPlatform) -> ToolRelease? {
        releases[platform]
    }

    /// The platforms it is published for, in `ToolPlatform.all` order.
    public var platforms: [ToolPlatform] {
        releases.keys.sorted()
    }

    /// The platforms it is published for whose digest `slipway.yml` pins.
    public var lockedPlatforms: [ToolPlatform] {
        platforms.filter { releases[$0]?.sha256 != nil }
    }

    /// Whether `output`, what the tool printed when asked for its version, names the pinned
    /// version as a whole version: `1.9` matches `v1.9` and `1.9-rc1`, not `1.9.2` or `11.9`.
    ///
    /// The generated CI's check (`VersionMatch.bashPattern`) makes the same decision.
    public func reportsPinnedVersion(in output: String) -> Bool {
        VersionMatch.contains(output, version: version)
    }
}

/// Whether a tool's output names a version, decided the same way in Swift and in bash.
public enum VersionMatch {
    /// Whether `output` contains `version` with no digit or `.` directly before it and neither a
    /// digit nor a `.` and a digit directly after it.
    public static func contains(_ output: String, version: String) -> Bool {
        let text = Array(output.utf8)
        let wanted = Array(version.utf8)
        guard !wanted.isEmpty, text.count >= wanted.count else { return false }
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        for start in 0...(text.count - wanted.count) where text[start..<start + wanted.count].elementsEqual(wanted) {
            if start > 0, isDigit(text[start - 1]) || text[start - 1] == 0x2E { continue }
            let end = start + wanted.count
            if end < text.count {
                if isDigit(text[end]) { continue }
                if text[end] == 0x2E, end + 1 < text.count, isDigit(text[end + 1]) { continue }
            }
            return true
        }
        return false
    }

    /// A bash extended regular expression (for `[[ $output =~ … ]]`) that matches exactly when
    /// `contains(_:version:)` does.
    public static func bashPattern(version: String) -> String {
        var escaped = ""
        for character in version {
            if character.isLetter || character.isNumber {
                escaped.append(character)
            } else {
                escaped += "[\(character == "^" ? "\\^" : String(character))]"
            }
        }
        return "(^|[^0-9.])\(escaped)($|[^0-9.]|[.]$|[.][^0-9])"
    }
}
