import SlipwayCore
import Testing

private let spec = """
    version: 1
    env: {REGION: eu-central-1, TF_ROOT: terraform, LOG: info}
    secrets: [AWS_KEY, GIT_TOKEN]
    tools: {terraform: 1.11.4, kubeone: 1.9.2, flux: 2.5.1, kops: 1.31.0}
    oidc:
      aws: {role: "arn:aws:iam::1:role/ci", region: eu-central-1}
    environments:
      - name: dev
        env: {REGION: eu-west-1, CLUSTER: dev}
      - name: prod
        gate: manual
        env: {CLUSTER: prod}
    jobs:
      lint:
        run: yamllint -s kubermatic flux kubeone
      render:
        environment: each
        produces: ["out/{environment}/cluster.yaml", shared.txt]
        run: kops toolbox template > "out/$SLIPWAY_ENVIRONMENT/cluster.yaml"
      replace:
        on: [push]
        environment: each
        needs: [render]
        mutates: true
        retry: 2
        secrets: [AWS_KEY]
        oidc: [aws]
        env: {LOG: debug}
        run: kops replace -f "out/$SLIPWAY_ENVIRONMENT/cluster.yaml"
      update:
        on: [push]
        environment: each
        needs: [replace]
        mutates: true
        timeout: 90s
        produces: [update.log]
        run: |
          if kops update cluster --yes; then echo ok; fi
      report:
        needs: [update, lint]
        retry: 1
        workdir: reports
        run: terraform output
    """

@Suite struct JobInstanceTests {
    let pipeline: Pipeline

    init() throws {
        let result = SpecValidator.pipeline(text: spec)
        pipeline = try #require(result.pipeline, "\(result.diagnostics)")
    }

    func instance(_ id: String) throws -> JobInstance {
        try #require(pipeline.instance(id))
    }

    @Test func variablesMergeSpecThenEnvironmentThenJobWithTheirOrigins() throws {
        #expect(
            try instance("replace@dev").variables == [
                ResolvedVariable(name: "REGION", value: "eu-west-1", origin: .environment("dev")),
                ResolvedVariable(name: "TF_ROOT", value: "terraform", origin: .spec),
                ResolvedVariable(name: "LOG", value: "debug", origin: .job),
                ResolvedVariable(name: "CLUSTER", value: "dev", origin: .environment("dev")),
            ])
        #expect(try instance("lint").variables.map(\.origin) == [.spec, .spec, .spec])
    }

    @Test func toolsAreTheCommandsTheScriptRuns() throws {
        // `flux` and `kubeone` are arguments of yamllint, not commands.
        #expect(try instance("lint").tools == [])
        #expect(try instance("render@prod").tools == [PinnedTool(name: "kops", version: "1.31.0")])
        #expect(try instance("update@dev").tools == [PinnedTool(name: "kops", version: "1.31.0")])
        #expect(try instance("report").tools == [PinnedTool(name: "terraform", version: "1.11.4")])
    }

    @Test func producedPathsNameTheEnvironment() throws {
        #expect(try instance("render@dev").produces == ["out/dev/cluster.yaml", "shared.txt"])
        #expect(try instance("render@prod").produces == ["out/prod/cluster.yaml", "shared.txt"])
    }

    @Test func filesComeFromEveryProducerUpstreamInExecutionOrder() throws {
        // Through `needs` only: render@dev reaches update@dev through replace@dev, which produces
        // nothing; update@prod waits for update@dev (promotion) but receives nothing from it.
        #expect(try instance("replace@dev").receivesFrom == ["render@dev"])
        #expect(try instance("update@dev").receivesFrom == ["render@dev"])
        #expect(try instance("update@prod").receivesFrom == ["render@prod"])
        #expect(
            try instance("report").receivesFrom == ["render@dev", "render@prod", "update@dev", "update@prod"])
        #expect(try instance("lint").receivesFrom == [])
    }

    @Test func whatAnInstanceWaitsForDirectlyAndThroughOthers() throws {
        // Its needs, then the previous environment's instance (promotion order).
        #expect(try instance("replace@prod").waitsFor == ["render@prod", "replace@dev"])
        #expect(try instance("report").waitsFor == ["update@dev", "update@prod", "lint"])
        #expect(
            pipeline.upstream(of: "update@prod")
                == ["render@dev", "replace@dev", "render@prod", "replace@prod", "update@dev"].sorted {
                    pipeline.executionOrder.firstIndex(of: $0)! < pipeline.executionOrder.firstIndex(of: $1)!
                })
        #expect(Set(pipeline.upstream(of: "report")) == Set(pipeline.instances.map(\.id)).subtracting(["report"]))
        #expect(pipeline.upstream(of: "lint").isEmpty)
    }

    @Test func anEnvironmentsGateCoversItsMutatingInstancesAndAJobsGateOnlyItself() throws {
        #expect(try instance("replace@prod").approval == .environment("prod"))
        #expect(try instance("update@prod").approval == .environment("prod"))
        #expect(try instance("replace@dev").approval == nil)
        #expect(try instance("render@prod").approval == nil)
        let gated = SpecValidator.pipeline(
            text: "version: 1\njobs:\n  notify:\n    paths: [\"**\"]\n    gate: manual\n    run: echo hi\n")
        #expect(try #require(gated.pipeline?.instance("notify")).approval == .job("notify"))
    }

    @Test func attemptsTimeoutsGatesAndSecrets() throws {
        let replace = try instance("replace@prod")
        #expect(replace.attempts == 1)  // mutating: never retried
        #expect(replace.timeout == JobInstance.defaultTimeout && replace.timeoutMinutes == 60)
        #expect(replace.gate == .manual)  // the environment's gate
        #expect(try instance("render@prod").gate == nil)  // not mutating: the environment's gate does not apply
        #expect(replace.secrets == ["AWS_KEY"] && replace.withheldSecrets == ["GIT_TOKEN"])
        #expect(try instance("update@dev").timeout == 90 && instance("update@dev").timeoutMinutes == 2)
        #expect(try instance("report").attempts == 2)
        #expect(try instance("report").script == "terraform output\n")
        #expect(try instance("report").workdir == "reports")
    }

    /// The fingerprint of a known definition is the one docs/spec.md's byte layout gives.
    ///
    /// The expected value was computed independently from that description. If this changes, every mark users have recorded
    /// stops matching and every instance counts as out of date after an upgrade, so a change here
    /// must be deliberate and go with a new `JobFingerprint.version`.
    @Test func fingerprintIsStableAcrossReleases() throws {
        let pipeline = try #require(
            SpecValidator.pipeline(
                text: """
                    version: 1
                    env: {B: "2", A: "1"}
                    tools: {terraform: 1.11.4}
                    jobs:
                      plan:
                        run: terraform plan
                    """
            ).pipeline)
        #expect(
            pipeline.instance("plan")?.fingerprint
                == "5ca4a71de0b41a4d3dd89af1901cee1de11aadf8a4421ea839bbc41572ab8a2f")
    }

    @Test func fingerprintChangesWithWhatTheJobDoesAndOnlyWithThat() throws {
        func fingerprint(
            _ job: String, env: String = "{}", tools: String = "{terraform: 1.11.4, helm: 3.17.0}"
        ) throws -> String {
            let text = """
                version: 1
                secrets: [S, T]
                env: \(env)
                tools: \(tools)
                oidc:
                  aws: {role: "arn:aws:iam::1:role/ci", region: eu-central-1}
                jobs:
                  other:
                    run: "true"
                  job:
                \(job.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n"))
                """
            let result = SpecValidator.pipeline(text: text)
            return try #require(result.pipeline?.instance("job")?.fingerprint, "\(result.diagnostics)")
        }
        let base = try fingerprint("run: terraform plan\nenv: {A: '1', B: '2'}")
        // What the job does.
        let changes = [
            "run: terraform plan -refresh=false\nenv: {A: '1', B: '2'}",
            "run: terraform plan\nenv: {A: '1', B: '3'}",
            "run: terraform plan\nenv: {A: '1', B: '2', C: '3'}",
            "run: terraform plan\nenv: {A: '1', B: '2'}\nimage: hashicorp/terraform:1.11.4",
            "run: terraform plan\nenv: {A: '1', B: '2'}\nworkdir: terraform",
            "run: terraform plan\nenv: {A: '1', B: '2'}\nsecrets: [S]",
            "run: terraform plan\nenv: {A: '1', B: '2'}\noidc: [aws]",
            "run: terraform plan\nenv: {A: '1', B: '2'}\nproduces: [plan.tfplan]",
            "run: helm lint && terraform plan\nenv: {A: '1', B: '2'}",
        ]
        var seen: Set<String> = [base]
        for change in changes {
            #expect(seen.insert(try fingerprint(change)).inserted, "\(change)")
        }
        // The merged values count, not where they come from.
        #expect(try fingerprint("run: terraform plan\nenv: {A: '1', B: '2'}", env: "{A: '9'}") == base)
        #expect(try fingerprint("run: terraform plan\nenv: {A: '1'}", env: "{B: '2'}") == base)
        #expect(
            try fingerprint("run: terraform plan\nenv: {A: '1', B: '2'}", tools: "{terraform: 1.12.0, helm: 3.17.0}")
                != base)
        // A pinned tool the script does not run, and how or when the job runs, change nothing.
        let same = [
            "run: terraform plan\nenv: {B: '2', A: '1'}",
            "run: terraform plan\nenv: {A: '1', B: '2'}\npaths: [\"terraform/**\"]",
            "run: terraform plan\nenv: {A: '1', B: '2'}\nneeds: [other]",
            "run: terraform plan\nenv: {A: '1', B: '2'}\ntimeout: 5m\nretry: 2",
            "run: terraform plan\nenv: {A: '1', B: '2'}\ndescription: Plan it",
            "run: terraform plan\nenv: {A: '1', B: '2'}\ngate: manual",
        ]
        for unchanged in same {
            #expect(try fingerprint(unchanged) == base, "\(unchanged)")
        }
        #expect(
            try fingerprint("run: terraform plan\nenv: {A: '1', B: '2'}", tools: "{terraform: 1.11.4, helm: 3.18.0}")
                == base)
    }
}
