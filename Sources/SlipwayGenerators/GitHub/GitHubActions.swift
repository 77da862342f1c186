/// The third-party actions generated workflows use, pinned to full commit SHAs: the one table to
/// update (and review) when moving to newer releases.
enum GitHubActions {
    struct Pin {
        let repository: String
        let sha: String
        let version: String

        /// `owner/name@sha # version`, the form zizmor and Dependabot understand.
        var reference: String { "\(repository)@\(sha)  # \(version)" }
    }

    static let checkout = Pin(
        repository: "actions/checkout", sha: "11bd71901bbe5b1630ceea73d27597364c9af683", version: "v4.2.2")
    static let uploadArtifact = Pin(
        repository: "actions/upload-artifact", sha: "ea165f8d65b6e75b540449e92b4886f43607fa02", version: "v4.6.2")
    static let downloadArtifact = Pin(
        repository: "actions/download-artifact", sha: "d3f86a106a0bac45b974a628896c90dbdf5c8093", version: "v4.3.0")
    static let configureAWSCredentials = Pin(
        repository: "aws-actions/configure-aws-credentials", sha: "e3dd6a429d7300a6a4c196c26e071d42e0343502",
        version: "v4.0.2")
    static let googleAuth = Pin(
        repository: "google-github-actions/auth", sha: "ba79af03959ebeac9769e648f473a284504d9193", version: "v2.1.10")
    static let cache = Pin(
        repository: "actions/cache", sha: "5a3ec84eff668545956fd18022155c47e93e2684", version: "v4.2.3")
}
