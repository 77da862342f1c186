/// Where a tool's official releases live and how to read its version: one entry of the
/// built-in catalog.
public struct ToolRecipe: Sendable {
    /// The archive's URL template (`{version}`, `{os}`, `{arch}`).
    public let url: String
    /// The checksum file's URL template: a `sha256sum`-style list of every asset, or the one
    /// asset's digest; `nil` when the project publishes none.
    public let checksums: String?
    /// The executable's path inside the archive, as a template; `nil` for the tool's name at the
    /// archive's top, or when the asset is the executable itself.
    public let binary: String?
    /// The arguments that make it print its version.
    public let versionArgs: [String]
    /// The asset names' spellings of Go's OS and processor names (`amd64: x86_64`).
    public let replacements: [String: String]
    /// The platforms it is published for.
    public let platforms: [ToolPlatform]
    /// Where a person can see the releases (for messages and docs).
    public let releasesPage: String
}

/// The tools Slipway knows the official releases of: `terraform: 1.11.4` in `slipway.yml` is
/// enough for these; any other tool is declared with `url:` (docs/tools.md).
///
/// Each entry was read off the project's release page and checksum files; docs/tools.md cites
/// them. Keys are the command a job's script runs.
public enum ToolCatalog {
    /// The recipe for the tool whose command is `name`.
    public static func recipe(for name: String) -> ToolRecipe? {
        recipes[name]
    }

    /// The commands the catalog knows, sorted.
    public static var names: [String] { recipes.keys.sorted() }

    private static let github = "https://github.com"

    static let recipes: [String: ToolRecipe] = [
        "terraform": ToolRecipe(
            url: "https://releases.hashicorp.com/terraform/{version}/terraform_{version}_{os}_{arch}.zip",
            checksums: "https://releases.hashicorp.com/terraform/{version}/terraform_{version}_SHA256SUMS",
            binary: nil, versionArgs: ["version"], replacements: [:], platforms: ToolPlatform.all,
            releasesPage: "https://releases.hashicorp.com/terraform/"),
        "tofu": ToolRecipe(
            url: "\(github)/opentofu/opentofu/releases/download/v{version}/tofu_{version}_{os}_{arch}.zip",
            checksums: "\(github)/opentofu/opentofu/releases/download/v{version}/tofu_{version}_SHA256SUMS",
            binary: nil, versionArgs: ["version"], replacements: [:], platforms: ToolPlatform.all,
            releasesPage: "\(github)/opentofu/opentofu/releases"),
        "kubeone": ToolRecipe(
            url: "\(github)/kubermatic/kubeone/releases/download/v{version}/kubeone_{version}_{os}_{arch}.zip",
            checksums: "\(github)/kubermatic/kubeone/releases/download/v{version}/kubeone_{version}_checksums.txt",
            binary: nil, versionArgs: ["version"], replacements: [:], platforms: ToolPlatform.all,
            releasesPage: "\(github)/kubermatic/kubeone/releases"),
        "kubermatic-installer": ToolRecipe(
            url:
                "\(github)/kubermatic/kubermatic/releases/download/v{version}/kubermatic-ce-v{version}-{os}-{arch}.tar.gz",
            checksums: nil, binary: "kubermatic-installer", versionArgs: ["--version"], replacements: [:],
            platforms: [.linuxAMD64, .darwinAMD64, .darwinARM64],
            releasesPage: "\(github)/kubermatic/kubermatic/releases"),
        "helm": ToolRecipe(
            url: "https://get.helm.sh/helm-v{version}-{os}-{arch}.tar.gz",
            checksums: "https://get.helm.sh/helm-v{version}-{os}-{arch}.tar.gz.sha256sum",
            binary: "{os}-{arch}/helm", versionArgs: ["version", "--short"], replacements: [:],
            platforms: ToolPlatform.all, releasesPage: "\(github)/helm/helm/releases"),
        "kubectl": ToolRecipe(
            url: "https://dl.k8s.io/release/v{version}/bin/{os}/{arch}/kubectl",
            checksums: "https://dl.k8s.io/release/v{version}/bin/{os}/{arch}/kubectl.sha256",
            binary: nil, versionArgs: ["version", "--client"], replacements: [:], platforms: ToolPlatform.all,
            releasesPage: "https://kubernetes.io/releases/download/"),
        "flux": ToolRecipe(
            url: "\(github)/fluxcd/flux2/releases/download/v{version}/flux_{version}_{os}_{arch}.tar.gz",
            checksums: "\(github)/fluxcd/flux2/releases/download/v{version}/flux_{version}_checksums.txt",
            binary: nil, versionArgs: ["--version"], replacements: [:], platforms: ToolPlatform.all,
            releasesPage: "\(github)/fluxcd/flux2/releases"),
        "kops": ToolRecipe(
            url: "\(github)/kubernetes/kops/releases/download/v{version}/kops-{os}-{arch}",
            checksums: "\(github)/kubernetes/kops/releases/download/v{version}/kops-{os}-{arch}.sha256",
            binary: nil, versionArgs: ["version", "--short"], replacements: [:], platforms: ToolPlatform.all,
            releasesPage: "\(github)/kubernetes/kops/releases"),
        "sops": ToolRecipe(
            url: "\(github)/getsops/sops/releases/download/v{version}/sops-v{version}.{os}.{arch}",
            checksums: "\(github)/getsops/sops/releases/download/v{version}/sops-v{version}.checksums.txt",
            binary: nil, versionArgs: ["--version", "--disable-version-check"], replacements: [:],
            platforms: ToolPlatform.all, releasesPage: "\(github)/getsops/sops/releases"),
        "age": ToolRecipe(
            url: "\(github)/FiloSottile/age/releases/download/v{version}/age-v{version}-{os}-{arch}.tar.gz",
            checksums: nil, binary: "age/age", versionArgs: ["--version"], replacements: [:],
            platforms: ToolPlatform.all, releasesPage: "\(github)/FiloSottile/age/releases"),
        "aws": ToolRecipe(
            url: "https://awscli.amazonaws.com/awscli-exe-{os}-{arch}-{version}.zip",
            checksums: nil, binary: "aws/dist/aws", versionArgs: ["--version"],
            replacements: ["amd64": "x86_64", "arm64": "aarch64"], platforms: [.linuxAMD64, .linuxARM64],
            releasesPage: "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-version.html"),
        "gcloud": ToolRecipe(
            url:
                "https://dl.google.com/dl/cloudsdk/channels/rapid/downloads/google-cloud-cli-{version}-{os}-{arch}.tar.gz",
            checksums: nil, binary: "google-cloud-sdk/bin/gcloud", versionArgs: ["--version"],
            replacements: ["amd64": "x86_64", "arm64": "arm"], platforms: ToolPlatform.all,
            releasesPage: "https://cloud.google.com/sdk/docs/downloads-versioned-archives"),
    ]
}
