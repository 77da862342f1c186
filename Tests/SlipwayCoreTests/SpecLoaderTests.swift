import SlipwayCore
import SlipwayTesting
import Testing

/// Loads inline YAML whose expected diagnostic positions are marked with ⟨name⟩.
private func diagnostics(_ marked: MarkedText) -> [Diagnostic] {
    SpecValidator.pipeline(text: marked.text, file: marked.file).diagnostics
}

struct SpecLoaderTests {
    @Test func loadsEveryKeyWithDefaults() throws {
        let text = """
            version: 1
            name: kkp
            platforms: [github, gitlab]
            defaultBranch: trunk
            env: { TF_ROOT: terraform/aws, RETRIES: 3, DEBUG: true }
            secrets: [AWS_KEY]
            tools: { terraform: 1.11.4, helm: 3.10 }
            environments:
              - dev
              - name: prod
                gate: manual
                env: { REGION: eu-west-1 }
            jobs:
              plan:
                run: terraform plan
                paths: "terraform/**"
              apply:
                run: terraform apply
                on: push
                needs: plan
                paths: ["terraform/**"]
                mutates: true
                environment: each
                gate: manual
                secrets: [AWS_KEY]
                produces: [out/plan.json]
                timeout: 1h30m
                retry: 0
                env: { A: b }
                workdir: terraform
                image: hashicorp/terraform:1.11
                description: Apply it
            """
        let result = SpecLoader().load(text: text, file: "slipway.yml")
        #expect(result.diagnostics.isEmpty)
        let spec = try #require(result.spec)
        #expect(spec.name == "kkp")
        #expect(spec.platforms == [.github, .gitlab])
        #expect(spec.defaultBranch == "trunk")
        #expect(spec.env.map(\.name) == ["TF_ROOT", "RETRIES", "DEBUG"])
        #expect(spec.env.map(\.value) == ["terraform/aws", "3", "true"])
        #expect(spec.tools.map(\.version) == ["1.11.4", "3.10"])
        #expect(spec.environments.map(\.name) == ["dev", "prod"])
        #expect(spec.environments[1].gate == .manual)
        #expect(spec.environments[1].env.first?.value == "eu-west-1")
        let plan = try #require(spec.job(named: "plan"))
        #expect(plan.on == [.pullRequest, .push])
        #expect(plan.paths == ["terraform/**"])
        #expect(!plan.mutates && plan.retry == 0 && plan.timeout == nil)
        let apply = try #require(spec.job(named: "apply"))
        #expect(apply.on == [.push])
        #expect(apply.needs == ["plan"])
        #expect(apply.mutates && apply.environment == .each && apply.gate == .manual)
        #expect(apply.timeout == 5400)
        #expect(apply.workdir == "terraform" && apply.image == "hashicorp/terraform:1.11")
        #expect(apply.description == "Apply it" && apply.produces == ["out/plan.json"])
    }

    @Test func theCanonicalRepositoryIsAPathOfTwoOrMoreSegments() throws {
        for good in ["acme/platform", "acme/infra/platform", "a.b/c_d-e"] {
            let spec = try #require(
                SpecLoader().load(text: "version: 1\nrepository: \(good)\njobs: {}\n", file: "slipway.yml").spec)
            #expect(spec.repository == good)
        }
        for bad in ["platform", "acme/", "acme/../x", "acme/plat form", "/acme/x", "acme/$(id)"] {
            let marked = MarkedText("version: 1\nrepository: ⟨value⟩'\(bad)'\njobs: {}\n")
            let result = SpecLoader().load(text: marked.text, file: "slipway.yml")
            #expect(
                result.diagnostics == [
                    Diagnostic(
                        .invalidValue(
                            context: "'repository'", value: bad,
                            expected:
                                "the repository's path as the platform shows it, such as acme/platform or acme/infra/platform"
                        ), at: marked.location("value"))
                ], "\(bad)")
        }
    }

    /// The branch reaches GitHub expressions, GitLab rules and bash: quotes and anything git
    /// refuses are refused here.
    @Test func theDefaultBranchIsANameGitAcceptsAndNoFileCanMisquote() throws {
        for good in ["main", "release/v2", "trunk_1.x"] {
            let spec = try #require(
                SpecLoader().load(text: "version: 1\ndefaultBranch: \(good)\njobs: {}\n", file: "slipway.yml").spec)
            #expect(spec.defaultBranch == good)
        }
        for bad in ["it's", "a\"b", "-x", "a..b", "x/", "/x", "x.lock", "a b", ".hidden"] {
            let marked = MarkedText(
                "version: 1\ndefaultBranch: ⟨value⟩'\(bad.replacingOccurrences(of: "'", with: "''"))'\njobs: {}\n")
            let result = SpecLoader().load(text: marked.text, file: "slipway.yml")
            #expect(result.diagnostics.map(\.location) == [marked.location("value")], "\(bad)")
            #expect(result.spec?.defaultBranch == "main", "\(bad)")
        }
    }

    @Test func yamlSyntaxErrorsHaveTheirPosition() {
        let marked = MarkedText(
            """
            version: 1
            jobs:
              a:
                run: "unterminated
            ⟨here⟩
            """)
        let found = diagnostics(marked)
        #expect(found.count == 1)
        guard case .yamlSyntax = found.first?.kind else {
            Issue.record("expected a YAML syntax error, got \(found)")
            return
        }
        #expect(found.first?.location?.line == marked.location("here").line)
    }

    @Test func anUnquotedGlobIsExplainedAsAnAlias() {
        let marked = MarkedText(
            """
            version: 1
            jobs:
              docs:
                run: make docs
                paths: [⟨alias⟩*.md]
            """)
        #expect(diagnostics(marked) == [Diagnostic(.undefinedAlias(name: ".md"), at: marked.location("alias"))])
    }

    @Test(arguments: ["", "# only a comment\n", "---\n"])
    func anEmptyFileIsAnError(text: String) {
        let found = SpecLoader().load(text: text, file: "slipway.yml").diagnostics
        #expect(found.map(\.kind) == [.emptyFile])
    }

    @Test func duplicateKeysAreAllReportedWithTheFirstDefinition() {
        let marked = MarkedText(
            """
            version: 1
            jobs:
              a:
                ⟨first⟩run: one
                ⟨second⟩run: two
              b:
                run: x
            ⟨third⟩version: 1
            """)
        let found = diagnostics(marked)
        #expect(
            found.contains(
                Diagnostic(
                    .duplicateKey(key: "run", firstDefinition: marked.location("first")), at: marked.location("second"))
            ))
        #expect(
            found.contains {
                $0.kind
                    == .duplicateKey(
                        key: "version", firstDefinition: SourceLocation(file: "slipway.yml", line: 1, column: 1))
                    && $0.location == marked.location("third")
            })
    }

    @Test func unknownKeysAtEveryLevelSuggestTheClosest() {
        let marked = MarkedText(
            """
            version: 1
            ⟨top⟩platfroms: [github]
            environments:
              - name: prod
                ⟨env⟩gaet: manual
            jobs:
              a:
                run: x
                ⟨job⟩need: [b]
                ⟨far⟩frobnicate: true
            """)
        let found = diagnostics(marked)
        #expect(
            found.contains(
                Diagnostic(
                    .unknownKey(
                        key: "platfroms", context: "the spec", suggestion: "platforms", known: SpecKeys.topLevel),
                    at: marked.location("top"))))
        #expect(
            found.contains(
                Diagnostic(
                    .unknownKey(
                        key: "gaet", context: "environment #1", suggestion: "gate", known: SpecKeys.environment),
                    at: marked.location("env"))))
        #expect(
            found.contains(
                Diagnostic(
                    .unknownKey(key: "need", context: "job 'a'", suggestion: "needs", known: SpecKeys.job),
                    at: marked.location("job"))))
        #expect(
            found.contains(
                Diagnostic(
                    .unknownKey(key: "frobnicate", context: "job 'a'", suggestion: nil, known: SpecKeys.job),
                    at: marked.location("far"))))
    }

    @Test func wrongTypesAndValues() {
        let marked = MarkedText(
            """
            version: 1
            jobs:
              a:
                run: x
                paths: ["**"]
                mutates: ⟨bool⟩yes
                on: [push, ⟨event⟩pull-request]
                timeout: ⟨duration⟩30
                retry: ⟨retry⟩many
                needs: ⟨needs⟩{ b: c }
                env: { ⟨var⟩1BAD: x }
              b:
                run: ⟨run⟩[a, list]
              ⟨missing⟩c:
                paths: ["**"]
            """)
        let found = Set(diagnostics(marked))
        let expected: [Diagnostic] = [
            Diagnostic(
                .wrongType(context: "'mutates' of job 'a'", expected: "true or false", found: "the boolean 'yes'"),
                at: marked.location("bool")),
            Diagnostic(
                .unknownEvent(job: "a", event: "pull-request", suggestion: "pull_request"), at: marked.location("event")
            ),
            Diagnostic(.invalidDuration(context: "'timeout' of job 'a'", value: "30"), at: marked.location("duration")),
            Diagnostic(
                .wrongType(context: "'retry' of job 'a'", expected: "a whole number", found: "the string 'many'"),
                at: marked.location("retry")),
            Diagnostic(
                .wrongType(context: "'needs' of job 'a'", expected: "a list of strings", found: "a mapping"),
                at: marked.location("needs")),
            Diagnostic(
                .invalidName(
                    name: "1BAD", kind: "variable",
                    rule: "variable names start with a letter or '_' and use letters, digits and '_'"),
                at: marked.location("var")),
            Diagnostic(
                .wrongType(context: "'run' of job 'b'", expected: "a string", found: "a list"),
                at: marked.location("run")),
        ]
        for diagnostic in expected { #expect(found.contains(diagnostic)) }
        #expect(found.contains { $0.kind == .missingRun(job: "c") && $0.location == marked.location("missing") })
    }

    @Test(arguments: ["2", "\"1.0\"", "one"])
    func unsupportedVersions(version: String) {
        let marked = MarkedText("version: ⟨v⟩\(version)\njobs: {}\n")
        let found = diagnostics(marked)
        #expect(found.map(\.kind).contains { if case .unsupportedVersion = $0 { return true } else { return false } })
        #expect(found.first?.location == marked.location("v"))
    }

    @Test func missingVersionAndJobsAreReported() {
        let found = diagnostics(MarkedText("name: x\n"))
        #expect(
            found.map(\.kind) == [
                .missingKey(key: "version", context: "the spec"), .missingKey(key: "jobs", context: "the spec"),
            ])
    }

    @Test func invalidNames() {
        let marked = MarkedText(
            """
            version: 1
            environments: [⟨env⟩"pro d"]
            jobs:
              ⟨job⟩apply@prod:
                run: x
            """)
        let found = diagnostics(marked)
        #expect(
            found.contains(
                Diagnostic(
                    .invalidName(
                        name: "pro d", kind: "environment",
                        rule: "names start with a letter and use letters, digits, '-' and '_'"),
                    at: marked.location("env"))))
        #expect(
            found.contains(
                Diagnostic(
                    .invalidName(
                        name: "apply@prod", kind: "job",
                        rule: "names start with a letter and use letters, digits, '-' and '_'"),
                    at: marked.location("job"))))
    }

    @Test func anUnreadableFileIsOneDiagnostic() {
        let result = SpecLoader(reader: InMemoryFileReader([:])).load(path: "nope.yml")
        #expect(result.spec == nil)
        guard case .unreadableFile(path: "nope.yml", _) = result.diagnostics.first?.kind else {
            Issue.record("expected unreadableFile, got \(result.diagnostics)")
            return
        }
    }

    @Test func theNodeTreeKeepsPositionsThroughTheModel() throws {
        let marked = MarkedText(
            """
            version: 1
            jobs:
              a:
                run: x
                needs: [b, ⟨need⟩c]
              b:
                run: y
            """)
        let spec = try #require(SpecLoader().load(text: marked.text, file: "slipway.yml").spec)
        #expect(spec.sourceMap.value(["jobs", "a", "needs", "1"]) == marked.location("need"))
    }

    @Test func oidcConfigurationAndJobs() throws {
        let marked = MarkedText(
            """
            version: 1
            oidc:
              aws: { role: "arn:aws:iam::1:role/ci", region: eu-west-1 }
              gcp: ⟨gcp⟩{ provider: projects/1/locations/global/workloadIdentityPools/p/providers/ci }
            jobs:
              plan:
                paths: ["**"]
                oidc: [aws, ⟨cloud⟩azure]
                run: terraform plan
            """)
        let result = SpecLoader().load(text: marked.text, file: "slipway.yml")
        let spec = try #require(result.spec)
        #expect(spec.oidc.aws?.role == "arn:aws:iam::1:role/ci")
        #expect(spec.oidc.aws?.region == "eu-west-1")
        #expect(spec.oidc.gcp == nil)
        #expect(spec.job(named: "plan")?.oidc == [.aws])
        #expect(
            result.diagnostics.contains(
                Diagnostic(.missingKey(key: "serviceAccount", context: "'oidc.gcp'"), at: marked.location("gcp"))))
        #expect(
            result.diagnostics.contains(
                Diagnostic(
                    .invalidValue(context: "'oidc' of job 'plan'", value: "azure", expected: "aws or gcp"),
                    at: marked.location("cloud"))))
    }
}
