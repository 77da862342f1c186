import SlipwayBundles
import SlipwayCore
import Testing

private func given(_ answers: [String: String]) -> [String: KKPAnswers.Given] {
    answers.mapValues { KKPAnswers.Given($0) }
}

private let minimal = [
    "git": "github", "cloud": "aws", "endpoint": "kkp.example.com", "admin-email": "ops@example.com",
    "git-owner": "acme", "git-repository": "platform",
]

@Suite struct KKPAnswersTests {
    @Test func theFewAnswersWithoutADefaultAreEnough() throws {
        let answers = try KKPAnswers.resolve(given(minimal), clusterNameSeed: 7)
        #expect(answers.git == .github)
        #expect(answers.cloud == .aws)
        #expect(answers.region == "eu-central-1")
        #expect(answers.issuerEmail == "ops@example.com")
        #expect(answers.allowedEmailDomain == "example.com")
        #expect(answers.datacenter == "aws-eu-central-1")
        #expect(answers.autoscalerMin == 2 && answers.autoscalerMax == 5)
        #expect(answers.kkpVersion == "v2.27.1")
        #expect(answers.route53Zone == nil && answers.gitHostname == nil && answers.gcpProject == nil)
        #expect(!answers.monitoring && !answers.gitPersonal)
        // A generated name, the same for the same seed, valid where Terraform checks it.
        #expect(answers.clusterName == (try KKPAnswers.resolve(given(minimal), clusterNameSeed: 7)).clusterName)
        #expect(answers.clusterName.range(of: "^[a-z][a-z0-9-]{1,30}[a-z0-9]$", options: .regularExpression) != nil)
    }

    @Test func everyProblemIsReportedAtOnceWithAHint() throws {
        var answers = minimal
        answers["endpoint"] = "https://kkp.example.com/"
        answers["admin-email"] = "ops"
        answers["autoscaler-min"] = "6"
        answers["autoscaler-max"] = "3"
        answers["endpiont"] = "kkp.example.com"
        answers["monitoring"] = "maybe"
        answers["git-owner"] = nil
        do {
            _ = try KKPAnswers.resolve(given(answers), clusterNameSeed: 1)
            Issue.record("these answers must be refused")
        } catch {
            let problems = Dictionary(grouping: error.all, by: \.key)
            #expect(problems["endpiont"]?.first?.kind == .unknown(suggestion: "endpoint"))
            #expect(
                problems["endpoint"]?.first?.kind
                    == .invalid(value: "https://kkp.example.com/", reason: "it has a scheme"))
            #expect(problems["endpoint"]?.first?.hint == "write only the name: kkp.example.com")
            #expect(problems["admin-email"]?.first?.kind == .invalid(value: "ops", reason: "not an e-mail address"))
            #expect(
                problems["autoscaler-min"]?.first?.kind
                    == .invalid(value: "6", reason: "more than autoscaler-max (3)"))
            #expect(problems["monitoring"]?.first?.kind == .invalid(value: "maybe", reason: "not true or false"))
            #expect(problems["git-owner"]?.first?.kind == .missing)
            #expect(error.all.allSatisfy { !$0.hint.isEmpty })
            #expect(error.all.count == 6, "\(error.all.map(\.message))")
        }
    }

    @Test func theWizardsEndpointMistakesAreNamed() throws {
        for (endpoint, reason, hint) in [
            ("kkp.example.com/", "it ends with a slash", "write it without the slash: kkp.example.com"),
            ("KKP.example.com", "not a lowercase DNS name", "the DNS name KKP answers at, such as kkp.example.com"),
        ] {
            var answers = minimal
            answers["endpoint"] = endpoint
            #expect(
                throws: KKPAnswers.Problems(all: [
                    KKPAnswers.Problem(key: "endpoint", kind: .invalid(value: endpoint, reason: reason), hint: hint)
                ])
            ) { try KKPAnswers.resolve(given(answers), clusterNameSeed: 1) }
        }
    }

    @Test func cloudSpecificAnswersAreChecked() throws {
        var aws = minimal
        aws["route53-zone"] = "example.org"
        #expect(throws: KKPAnswers.Problems.self) { try KKPAnswers.resolve(given(aws), clusterNameSeed: 1) }
        aws["route53-zone"] = "example.com"
        #expect(try KKPAnswers.resolve(given(aws), clusterNameSeed: 1).route53Zone == "example.com")

        var gcp = minimal
        gcp["cloud"] = "gcp"
        do {
            _ = try KKPAnswers.resolve(given(gcp), clusterNameSeed: 1)
            Issue.record("GCP needs its project")
        } catch {
            #expect(error.all.map(\.key) == ["gcp-project"])
            #expect(error.all.first?.kind == .missing)
        }
        gcp["gcp-project"] = "acme-platform"
        let answers = try KKPAnswers.resolve(given(gcp), clusterNameSeed: 1)
        #expect(answers.region == "europe-west3")
        #expect(answers.datacenter == "gcp-europe-west3")
        #expect(answers.gcpWorkloadIdentityProvider == nil && answers.gcpServiceAccount == nil)
        gcp["route53-zone"] = "example.com"
        #expect(throws: KKPAnswers.Problems.self) { try KKPAnswers.resolve(given(gcp), clusterNameSeed: 1) }
    }

    /// Workload identity is a provider and a service account, both or neither, on GCP only.
    @Test func gcpWorkloadIdentityIsAPair() throws {
        var gcp = minimal.merging(["cloud": "gcp", "gcp-project": "acme-platform"]) { $1 }
        let provider = "projects/123/locations/global/workloadIdentityPools/ci/providers/github"
        gcp["gcp-workload-identity-provider"] = provider
        do {
            _ = try KKPAnswers.resolve(given(gcp), clusterNameSeed: 1)
            Issue.record("a provider without a service account")
        } catch {
            #expect(error.all.map(\.key) == ["gcp-service-account"])
        }
        gcp["gcp-service-account"] = "kkp-ci@acme-platform.iam.gserviceaccount.com"
        let answers = try KKPAnswers.resolve(given(gcp), clusterNameSeed: 1)
        #expect(answers.gcpWorkloadIdentityProvider == provider)
        #expect(answers.gcpServiceAccount == "kkp-ci@acme-platform.iam.gserviceaccount.com")

        gcp["gcp-workload-identity-provider"] = "github-provider"
        do {
            _ = try KKPAnswers.resolve(given(gcp), clusterNameSeed: 1)
            Issue.record("a provider's short name")
        } catch {
            #expect(error.all.map(\.key) == ["gcp-workload-identity-provider"])
            #expect(error.all.first?.hint.hasPrefix("projects/PROJECT_NUMBER/") == true)
        }
        var aws = minimal
        aws["gcp-service-account"] = "kkp-ci@acme-platform.iam.gserviceaccount.com"
        do {
            _ = try KKPAnswers.resolve(given(aws), clusterNameSeed: 1)
            Issue.record("GCP's answer on AWS")
        } catch {
            #expect(error.all.map(\.key) == ["gcp-service-account"])
        }
    }

    @Test func answersFromAFileKeepTheirPlace() throws {
        var answers = given(minimal)
        let location = SourceLocation(file: "answers.yml", line: 4, column: 11)
        answers["admin-email"] = KKPAnswers.Given("not-an-address", at: location)
        do {
            _ = try KKPAnswers.resolve(answers, clusterNameSeed: 1)
            Issue.record("must be refused")
        } catch {
            #expect(error.all.map(\.location) == [location])
        }
    }

    /// The answers file: scalars by key, with every shape problem located and the rest still read.
    @Test func theAnswersFileIsReadWithEveryProblemLocated() {
        let (given, problems) = AnswersFile.read(
            """
            endpoint: kkp.example.com
            monitoring: true
            autoscaler-max: 7
            route53-zone:
            git-owner: [acme]
            endpoint: other.example.com

            """, file: "a.yml")
        #expect(given["endpoint"]?.value == "kkp.example.com")
        #expect(given["endpoint"]?.location == SourceLocation(file: "a.yml", line: 1, column: 11))
        #expect(given["endpoint"]?.keyLocation == SourceLocation(file: "a.yml", line: 1, column: 1))
        #expect(given["monitoring"]?.value == "true" && given["autoscaler-max"]?.value == "7")
        #expect(given["route53-zone"] == nil, "an empty answer is no answer")
        #expect(problems.map(\.key) == ["git-owner", "endpoint"])
        #expect(problems.map(\.location?.line) == [5, 6])
        #expect(problems.last?.message == "'endpoint' is 'other.example.com': it is given twice (first at line 1)")

        let list = AnswersFile.read("- git: github\n", file: "b.yml")
        #expect(list.given.isEmpty && list.problems.map(\.key) == ["answers"])
        let broken = AnswersFile.read("git: [github\n", file: "c.yml")
        #expect(broken.problems.count == 1 && broken.problems[0].location?.file == "c.yml")
        if case .invalid(_, let reason) = broken.problems[0].kind {
            #expect(reason.hasPrefix("it is not valid YAML"))
        } else {
            Issue.record("a syntax error is an invalid answers file")
        }
        #expect(AnswersFile.read("", file: "d.yml").problems.isEmpty)
    }
}
