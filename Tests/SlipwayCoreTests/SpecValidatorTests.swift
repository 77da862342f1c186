import SlipwayCore
import SlipwayTesting
import Testing

private func diagnostics(_ marked: MarkedText) -> [Diagnostic] {
    SpecValidator.pipeline(text: marked.text, file: marked.file).diagnostics
}

struct SpecValidatorTests {
    @Test func unknownNeedsSuggestTheClosestJob() {
        let marked = MarkedText(
            """
            version: 1
            jobs:
              terraform-apply:
                run: x
                paths: ["**"]
              kubeone-apply:
                run: y
                paths: ["**"]
                needs: [⟨typo⟩terraform-aply, ⟨far⟩nothing-like-it]
            """)
        #expect(
            diagnostics(marked) == [
                Diagnostic(
                    .unknownNeed(job: "kubeone-apply", need: "terraform-aply", suggestion: "terraform-apply"),
                    at: marked.location("typo")),
                Diagnostic(
                    .unknownNeed(job: "kubeone-apply", need: "nothing-like-it", suggestion: nil),
                    at: marked.location("far")),
            ])
    }

    @Test func cyclesArePrintedOncePerCycle() {
        let marked = MarkedText(
            """
            version: 1
            jobs:
              a:
                run: x
                paths: ["**"]
                needs: [⟨a⟩b]
              b:
                run: x
                paths: ["**"]
                needs: [c]
              c:
                run: x
                paths: ["**"]
                needs: [a]
              d:
                run: x
                paths: ["**"]
                needs: [⟨self⟩d]
              e:
                run: x
                paths: ["**"]
                needs: [⟨e⟩f]
              f:
                run: x
                paths: ["**"]
                needs: [e]
            """)
        #expect(
            diagnostics(marked) == [
                Diagnostic(.dependencyCycle(cycle: ["a", "b", "c", "a"]), at: marked.location("a")),
                Diagnostic(.needsItself(job: "d"), at: marked.location("self")),
                Diagnostic(.dependencyCycle(cycle: ["e", "f", "e"]), at: marked.location("e")),
            ])
    }

    @Test func environmentsMustBeDeclared() {
        let marked = MarkedText(
            """
            version: 1
            environments: [dev, prod]
            jobs:
              a:
                run: x
                paths: ["**"]
                environment: ⟨env⟩staging
            """)
        #expect(
            diagnostics(marked) == [
                Diagnostic(
                    .unknownEnvironment(job: "a", environment: "staging", known: ["dev", "prod"]),
                    at: marked.location("env"))
            ])
        let none = MarkedText("version: 1\njobs:\n  a:\n    run: x\n    paths: [\"**\"]\n    environment: ⟨each⟩each\n")
        #expect(diagnostics(none) == [Diagnostic(.eachWithoutEnvironments(job: "a"), at: none.location("each"))])
    }

    @Test func mutatingJobsCannotListPullRequest() {
        let marked = MarkedText(
            """
            version: 1
            environments: [prod]
            jobs:
              apply:
                run: x
                paths: ["**"]
                on: [push, ⟨pr⟩pull_request]
                mutates: true
                environment: prod
            """)
        #expect(diagnostics(marked) == [Diagnostic(.mutatingOnPullRequest(job: "apply"), at: marked.location("pr"))])
    }

    @Test func mutatingJobsDefaultToPullRequestToo() {
        // `on` defaults to [pull_request, push]; a mutating job must say `on: [push]`.
        let result = SpecValidator.pipeline(
            text:
                "version: 1\nenvironments: [p]\njobs:\n  a:\n    run: x\n    paths: [\"**\"]\n    mutates: true\n    environment: p\n"
        )
        #expect(result.diagnostics.map(\.kind) == [.mutatingOnPullRequest(job: "a")])
    }

    @Test func invalidGlobsNameTheJobAndTheProblem() {
        let marked = MarkedText(
            """
            version: 1
            jobs:
              a:
                run: x
                paths: ["ok/**", ⟨bad⟩"terraform/[a-z"]
            """)
        #expect(
            diagnostics(marked) == [
                Diagnostic(
                    .invalidGlob(job: "a", pattern: "terraform/[a-z", reason: GlobError.unclosedBracket.description),
                    at: marked.location("bad"))
            ])
    }

    @Test func environmentPlaceholderInProducesNeedsAnEnvironment() {
        let marked = MarkedText(
            """
            version: 1
            environments: [dev]
            jobs:
              a:
                run: x
                paths: ["**"]
                produces: [plan.tfplan, ⟨p⟩"out/{environment}/cluster.yaml"]
              b:
                environment: dev
                run: x
                paths: ["**"]
                produces: ["out/{environment}/cluster.yaml"]
            """)
        #expect(
            diagnostics(marked) == [
                Diagnostic(
                    .environmentPlaceholderOutsideEach(job: "a", pattern: "out/{environment}/cluster.yaml"),
                    at: marked.location("p"))
            ])
    }

    @Test func environmentPlaceholderNeedsAnEnvironment() {
        let marked = MarkedText(
            """
            version: 1
            jobs:
              a:
                run: x
                paths: [⟨p⟩"clusters/{environment}/**"]
            """)
        #expect(
            diagnostics(marked) == [
                Diagnostic(
                    .environmentPlaceholderOutsideEach(job: "a", pattern: "clusters/{environment}/**"),
                    at: marked.location("p"))
            ])
    }

    @Test func secretsMustBeDeclared() {
        let marked = MarkedText(
            """
            version: 1
            secrets: [AWS_ACCESS_KEY_ID]
            jobs:
              a:
                run: x
                paths: ["**"]
                secrets: [AWS_ACCESS_KEY_ID, ⟨typo⟩AWS_ACCESS_KEY, ⟨other⟩GITHUB_TOKEN]
            """)
        #expect(
            diagnostics(marked) == [
                Diagnostic(
                    .undeclaredSecret(job: "a", secret: "AWS_ACCESS_KEY", suggestion: "AWS_ACCESS_KEY_ID"),
                    at: marked.location("typo")),
                Diagnostic(
                    .undeclaredSecret(job: "a", secret: "GITHUB_TOKEN", suggestion: nil), at: marked.location("other")),
            ])
    }

    @Test func instanceIdsThatCollideInCIAreErrors() {
        let marked = MarkedText(
            """
            version: 1
            environments: [prod]
            jobs:
              apply:
                run: x
                paths: ["**"]
                on: [push]
                environment: each
              ⟨clash⟩apply-prod:
                run: y
                paths: ["**"]
            """)
        #expect(
            diagnostics(marked) == [
                Diagnostic(
                    .instanceIdCollision(id: "apply-prod", first: "apply@prod", second: "apply-prod"),
                    at: marked.location("clash"))
            ])
    }

    @Test func warningsForSuspiciousButLegalSpecs() {
        let marked = MarkedText(
            """
            version: 1
            secrets: [A, ⟨unused⟩B]
            environments:
              - name: ⟨gate⟩prod
                gate: manual
            jobs:
              ⟨always⟩lint:
                run: x
                secrets: [A]
              deploy:
                run: x
                on: [push]
                paths: ["**"]
                mutates: ⟨mutates⟩true
                retry: ⟨retry⟩2
              after:
                run: x
                on: [push, manual]
                paths: ["**"]
                needs: [⟨event⟩check]
              check:
                run: x
                on: [push]
                paths: ["**"]
            """)
        let found = diagnostics(marked)
        #expect(found.allSatisfy { $0.severity == .warning })
        #expect(
            Set(found) == [
                Diagnostic(.unusedSecret(secret: "B"), at: marked.location("unused")),
                Diagnostic(.gateWithoutMutatingJobs(environment: "prod"), at: marked.location("gate")),
                Diagnostic(
                    .runsOnEveryChange(job: "lint", events: ["pull request", "push"]), at: marked.location("always")),
                Diagnostic(.mutatingWithoutEnvironment(job: "deploy"), at: marked.location("mutates")),
                Diagnostic(.retryOnMutatingJob(job: "deploy"), at: marked.location("retry")),
                Diagnostic(
                    .needsJobNotOnEvent(job: "after", need: "check", event: "manual"), at: marked.location("event")),
            ])
        #expect(SpecValidator.pipeline(text: marked.text).pipeline != nil)
    }

    @Test func aJobThatCanRunWithoutTheMutatingJobWhoseFilesItUsesIsWarnedAbout() {
        let marked = MarkedText(
            """
            version: 1
            environments: [master]
            jobs:
              terraform-apply:
                on: [push]
                paths: ["terraform/**"]
                mutates: true
                environment: master
                produces: [kubeconfig]
                run: terraform apply
              flux:
                on: [push]
                paths: ["flux/**"]
                needs: [⟨need⟩terraform-apply]
                mutates: true
                environment: master
                run: flux bootstrap
              covered:
                on: [push]
                paths: ["terraform/**"]
                needs: [terraform-apply]
                run: kubectl get nodes
              manual-only:
                on: [manual]
                needs: [terraform-apply]
                run: kubectl get nodes
            """)
        // 'covered' is selected only by changes that select the producer too; 'manual-only' is
        // never selected by a change.
        #expect(
            diagnostics(marked) == [
                Diagnostic(
                    .filesFromMutatingProducer(job: "flux", producer: "terraform-apply", files: ["kubeconfig"]),
                    at: marked.location("need"))
            ])
    }

    @Test func withNeedsNeedsNeedsAndNoPaths() {
        let marked = MarkedText(
            """
            version: 1
            jobs:
              a:
                paths: ["a/**"]
                run: x
              both:
                needs: [a]
                paths: ["b/**"]
                when: ⟨paths⟩with-needs
                run: x
              alone:
                when: ⟨alone⟩with-needs
                run: x
              ⟨job⟩typo:
                needs: [a]
                when: ⟨typo⟩with-need
                run: x
            """)
        #expect(
            diagnostics(marked)
                == [
                    Diagnostic(.onlyWithNeedsHasPaths(job: "both"), at: marked.location("paths")),
                    Diagnostic(.onlyWithNeedsWithoutNeeds(job: "alone"), at: marked.location("alone")),
                    // An unknown value leaves the job selected by every change, which says so too.
                    Diagnostic(
                        .runsOnEveryChange(job: "typo", events: ["pull request", "push"]), at: marked.location("job")),
                    Diagnostic(
                        .invalidValue(context: "'when' of job 'typo'", value: "with-need", expected: "with-needs"),
                        at: marked.location("typo")),
                ].sortedByLocation())
    }

    @Test func everyProblemIsReportedAtOnceInFileOrder() {
        let marked = MarkedText(
            """
            version: 1
            ⟨1⟩platform: [github]
            jobs:
              a:
                run: x
                paths: ["**"]
                needs: [⟨2⟩zzz]
                timeout: ⟨3⟩soon
              ⟨4⟩b:
                paths: ["**"]
            """)
        let found = diagnostics(marked)
        #expect(found.map(\.location) == ["1", "2", "3", "4"].map(marked.location))
        #expect(found.count == 4)
    }

    @Test func perEnvironmentJobsExpandIntoOrderedInstances() throws {
        let text = """
            version: 1
            environments: [dev, staging, prod]
            jobs:
              render:
                run: x
                environment: each
                paths: ["clusters/{environment}/**"]
              apply:
                run: y
                on: [push]
                environment: each
                mutates: true
                needs: [render, lint]
                paths: ["clusters/{environment}/**"]
              lint:
                run: z
                paths: ["**"]
              report:
                run: r
                on: [push]
                needs: [apply]
                paths: ["**"]
            """
        let pipeline = try #require(SpecValidator.pipeline(text: text).pipeline)
        #expect(
            pipeline.instances.map(\.id) == [
                "render@dev", "render@staging", "render@prod", "apply@dev", "apply@staging", "apply@prod", "lint",
                "report",
            ])
        let applyProd = try #require(pipeline.instance("apply@prod"))
        #expect(applyProd.needs == ["render@prod", "lint"])
        #expect(applyProd.after == ["apply@staging"])
        #expect(applyProd.patterns.patterns.map(\.source) == ["clusters/prod/**"])
        #expect(pipeline.instance("report")?.needs == ["apply@dev", "apply@staging", "apply@prod"])
        let order = pipeline.executionOrder
        for instance in pipeline.instances {
            for upstream in instance.needs + instance.after {
                #expect(order.firstIndex(of: upstream)! < order.firstIndex(of: instance.id)!)
            }
        }
    }

    @Test func oidcProvidersMustBeConfigured() {
        let marked = MarkedText(
            """
            version: 1
            oidc:
              aws: { role: "arn:aws:iam::1:role/ci", region: eu-west-1 }
            jobs:
              plan:
                paths: ["**"]
                oidc: [aws, ⟨gcp⟩gcp]
                run: terraform plan
            """)
        #expect(
            diagnostics(marked) == [
                Diagnostic(.oidcNotConfigured(job: "plan", provider: "gcp"), at: marked.location("gcp"))
            ])
    }
}
