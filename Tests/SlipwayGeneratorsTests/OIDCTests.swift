import Foundation
import SlipwayCore
import SlipwayGenerators
import SlipwayTesting
import Testing
import Yams

private let spec = """
    version: 1
    oidc:
      aws: { role: "arn:aws:iam::123456789012:role/ci", region: eu-west-1 }
      gcp: { provider: projects/42/locations/global/workloadIdentityPools/ci/providers/gitlab, serviceAccount: deploy@p.iam.gserviceaccount.com }
    jobs:
      cloud:
        paths: ["**"]
        oidc: [aws, gcp]
        run: |
          echo "role=$AWS_ROLE_ARN region=$AWS_REGION token=$(cat "$AWS_WEB_IDENTITY_TOKEN_FILE")"
          cat "$GOOGLE_APPLICATION_CREDENTIALS"
          echo "left=${SLIPWAY_OIDC_AWS:-unset}"
      plain:
        paths: ["**"]
        run: echo plain
    """

/// OIDC reaches only the jobs that ask for it, and the credentials each platform's script builds
/// are what AWS's and Google's SDKs read.
@Suite struct OIDCTests {
    private func pipeline() throws -> Pipeline {
        try #require(SpecValidator.pipeline(text: spec).pipeline)
    }

    @Test func gitlabAsksForTokensOnlyWhereNeededAndBuildsCredentials() async throws {
        let text = try gitLabJobs(try pipeline())
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let cloud = try #require(document["cloud"] as? [String: Any])
        let tokens = try #require(cloud["id_tokens"] as? [String: [String: String]])
        #expect(tokens["SLIPWAY_OIDC_AWS"] == ["aud": "sts.amazonaws.com"])
        #expect(
            tokens["SLIPWAY_OIDC_GCP"] == [
                "aud":
                    "https://iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/ci/providers/gitlab"
            ])
        #expect((document["plain"] as? [String: Any])?["id_tokens"] == nil)

        // Run the job's wrapper with fake tokens, as GitLab would hand them over.
        let variables = try #require(cloud["variables"] as? [String: Any])
        let wrapper = try #require((variables["SLIPWAY_WRAPPER"] as? [String: Any])?["value"] as? String)
        let script = try #require((variables["SLIPWAY_SCRIPT"] as? [String: Any])?["value"] as? String)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await run(
            "bash", ["--noprofile", "--norc", "-euo", "pipefail", "-c", wrapper], in: directory.path,
            environment: ["SLIPWAY_SCRIPT": script, "SLIPWAY_OIDC_AWS": "aws.jwt", "SLIPWAY_OIDC_GCP": "gcp.jwt"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("role=arn:aws:iam::123456789012:role/ci region=eu-west-1 token=aws.jwt"))
        #expect(result.standardOutput.contains("left=unset"))
        let jsonStart = try #require(result.standardOutput.firstIndex(of: "{"))
        let jsonEnd = try #require(result.standardOutput.lastIndex(of: "}"))
        let credentials = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput[jsonStart...jsonEnd].utf8))
                as? [String: Any])
        #expect(credentials["type"] as? String == "external_account")
        #expect(
            credentials["audience"] as? String
                == "//iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/ci/providers/gitlab")
        #expect(
            credentials["service_account_impersonation_url"] as? String
                == "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/deploy@p.iam.gserviceaccount.com:generateAccessToken"
        )
        let source = try #require((credentials["credential_source"] as? [String: String])?["file"])
        #expect(source.hasSuffix("/gcp-token"))
    }

    @Test func aMissingTokenSaysWhatToCheck() async throws {
        let text = try gitLabJobs(try pipeline())
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let variables = try #require((document["cloud"] as? [String: Any])?["variables"] as? [String: Any])
        let wrapper = try #require((variables["SLIPWAY_WRAPPER"] as? [String: Any])?["value"] as? String)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await run(
            "bash", ["--noprofile", "--norc", "-euo", "pipefail", "-c", wrapper], in: directory.path)
        #expect(result.status != 0)
        #expect(
            result.standardError.contains("no OIDC token for aws: is OIDC enabled for this job on the CI platform?"))
    }

    @Test func bitbucketEnablesOIDCOnlyOnThoseSteps() throws {
        let text = try BitbucketGenerator().generate(try pipeline())[0].contents
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let pipelines = try #require(document["pipelines"] as? [String: Any])
        let pullRequests = try #require((pipelines["pull-requests"] as? [String: Any])?["**"] as? [[String: Any]])
        let steps = pullRequests.compactMap { $0["step"] as? [String: Any] }
        #expect(steps.first { $0["name"] as? String == "cloud" }?["oidc"] as? Bool == true)
        #expect(steps.first { $0["name"] as? String == "plain" }?["oidc"] == nil)
        #expect(text.contains("export SLIPWAY_OIDC_TOKEN=\"${BITBUCKET_STEP_OIDC_TOKEN:-}\""))
    }

    @Test func githubGrantsIdTokenOnlyToThoseJobs() throws {
        let text = try GitHubGenerator().generate(try pipeline())[0].contents
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let jobs = try #require(document["jobs"] as? [String: [String: Any]])
        #expect((jobs["cloud"]?["permissions"] as? [String: String])?["id-token"] == "write")
        #expect((jobs["plain"]?["permissions"] as? [String: String])?["id-token"] == nil)
        #expect(text.contains("google-github-actions/auth@ba79af03959ebeac9769e648f473a284504d9193  # v2.1.10"))
    }
}
