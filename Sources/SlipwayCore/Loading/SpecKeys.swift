/// The keys `slipway.yml` knows at each level.
///
/// The loader, the JSON Schema and docs/spec.md follow these lists; a test keeps the schema in
/// step with them.
public enum SpecKeys {
    /// Keys of the top-level mapping.
    public static let topLevel = [
        "version", "name", "platforms", "defaultBranch", "schedule", "env", "secrets", "tools", "environments", "jobs",
    ]
    /// Keys of an entry in `environments`.
    public static let environment = ["name", "gate", "env"]
    /// Keys of a job.
    public static let job = [
        "run", "on", "paths", "needs", "mutates", "environment", "gate", "secrets", "produces", "timeout",
        "retry", "env", "workdir", "image", "description",
    ]
}
