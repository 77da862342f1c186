/// A tool `slipway.yml` pins, at its version.
public struct PinnedTool: Sendable, Hashable {
    /// The command's name (`terraform`).
    public let name: String
    /// The pinned version (`1.11.4`).
    public let version: String

    /// Creates a pinned tool.
    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }

    /// The arguments that make the tool print its version (`version --client` for kubectl).
    public var versionArguments: String {
        switch name {
        case "kubectl", "flux": return "version --client"
        case "helm": return "version --short"
        case "kubeone", "kops", "kubermatic-installer", "terraform", "tofu": return "version"
        default: return "--version"
        }
    }
}
