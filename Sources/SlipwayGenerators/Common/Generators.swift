import SlipwayCore

/// The generator for each platform, so callers need not know the concrete types.
public enum Generators {
    /// Generates `platform`'s configuration for `pipeline`.
    public static func generate(_ platform: Platform, _ pipeline: Pipeline) throws(GeneratorFailure) -> [GeneratedFile]
    {
        switch platform {
        case .github:
            return try GitHubGenerator().generate(pipeline)
        case .gitlab:
            return try GitLabGenerator().generate(pipeline)
        case .bitbucket:
            throw GeneratorFailure(diagnostics: [
                GeneratorDiagnostic(
                    platform: platform, job: nil,
                    message: "generating \(platform.rawValue) configuration is not available yet",
                    hint: "generate for github, or follow the open issue for GitLab and Bitbucket support")
            ])
        }
    }
}
