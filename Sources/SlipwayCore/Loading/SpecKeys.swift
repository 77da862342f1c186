/// The keys `slipway.yml` knows at each level.
///
/// The loader, the JSON Schema and docs/spec.md follow these lists; a test keeps the schema in
/// step with them.
public enum SpecKeys {
    /// Keys of the top-level mapping.
    public static let topLevel = [
        "version", "name", "platforms", "defaultBranch", "repository", "schedule", "env", "secrets", "oidc", "tools",
        "environments", "jobs",
    ]
    /// Keys of an entry in `environments`.
    public static let environment = ["name", "gate", "env"]
    /// Keys of `oidc`, and of each provider in it.
    public static let oidc = ["aws", "gcp"]
    /// Keys of `oidc.aws`.
    public static let oidcAWS = ["role", "region"]
    /// Keys of `oidc.gcp`.
    public static let oidcGCP = ["provider", "serviceAccount"]
    /// Keys of a tool's long form under `tools`.
    public static let tool = ["version", "sha256", "url", "checksums", "binary", "versionArgs", "replacements"]
    /// Keys of a job.
    public static let job = [
        "run", "on", "paths", "needs", "mutates", "environment", "gate", "secrets", "oidc", "produces", "timeout",
        "retry", "env", "workdir", "image", "description", "when",
    ]
}
