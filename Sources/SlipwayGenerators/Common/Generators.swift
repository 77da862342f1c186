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
            return try BitbucketGenerator().generate(pipeline)
        }
    }
}
