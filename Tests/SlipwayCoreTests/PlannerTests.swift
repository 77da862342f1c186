import SlipwayCore
import SlipwayTesting
import Testing

/// A KKP-shaped pipeline with every kind of edge the selection rules care about.
private let kkp = """
    version: 1
    environments: [master]
    jobs:
      tf-validate:
        paths: ["terraform/**"]
        run: terraform validate
      tf-plan:
        needs: [tf-validate]
        paths: ["terraform/**"]
        run: terraform plan
      tf-apply:
        on: [push]
        needs: [tf-plan]
        paths: ["terraform/**"]
        mutates: true
        environment: master
        run: terraform apply
      kubeone-plan:
        needs: [tf-apply]
        paths: ["kubeone/**"]
        run: kubeone plan
      kubeone-apply:
        on: [push]
        needs: [tf-apply, kubeone-plan]
        paths: ["kubeone/**"]
        mutates: true
        environment: master
        run: kubeone apply
      kkp-install:
        on: [push]
        needs: [kubeone-apply]
        paths: ["kubermatic/**", "!kubermatic/**/*.md"]
        mutates: true
        environment: master
        run: kubermatic-installer deploy
      docs:
        paths: ["*.md", "!CHANGELOG.md"]
        run: make docs
      nightly:
        on: [schedule, manual]
        run: ./nightly.sh
    """

/// Per-environment jobs promoted dev → prod.
private let kops = """
    version: 1
    environments: [dev, prod]
    jobs:
      template:
        environment: each
        paths: ["clusters/{environment}/**", "templates/**"]
        run: kops toolbox template
      update:
        on: [push]
        environment: each
        needs: [template]
        mutates: true
        paths: ["clusters/{environment}/**", "templates/**"]
        run: kops update cluster
      rolling-update:
        on: [push]
        environment: each
        needs: [update]
        mutates: true
        paths: ["clusters/{environment}/nodes/**"]
        run: kops rolling-update cluster
    """

struct PlannerTests {
    struct Scenario: CustomTestStringConvertible, Sendable {
        let name: String
        let spec: String
        let event: Event
        let changed: [String]
        let selected: [String]
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(
            name: "PR touching terraform runs validation and plan, never apply", spec: kkp, event: .pullRequest,
            changed: ["terraform/main.tf"], selected: ["tf-validate", "tf-plan"]),
        Scenario(
            name: "push touching terraform cascades through every mutating job downstream", spec: kkp, event: .push,
            changed: ["terraform/main.tf"],
            selected: ["tf-validate", "tf-plan", "tf-apply", "kubeone-plan", "kubeone-apply", "kkp-install"]),
        Scenario(
            name: "anchoring: docs/terraform is not terraform/", spec: kkp, event: .push,
            changed: ["docs/terraform/x.tf"], selected: []),
        Scenario(
            name: "pull-in without cascade upstream of a mutating job that is not selected", spec: kkp, event: .push,
            changed: ["kubeone/kubeone.yaml"], selected: ["kubeone-plan", "kubeone-apply", "kkp-install"]),
        Scenario(
            name: "a job whose mutating upstream is not selected runs without it", spec: kkp, event: .push,
            changed: ["kubermatic/values.yaml"], selected: ["kkp-install"]),
        Scenario(
            name: "a validation selected by a PR does not cascade", spec: kkp, event: .pullRequest,
            changed: ["kubeone/kubeone.yaml"], selected: ["kubeone-plan"]),
        Scenario(
            name: "negation where the last match wins", spec: kkp, event: .push,
            changed: ["kubermatic/docs/guide.md"], selected: ["docs"]),
        Scenario(
            name: "a pattern without a slash matches at any depth", spec: kkp, event: .pullRequest,
            changed: ["flux/apps/README.md"], selected: ["docs"]),
        Scenario(
            name: "negated file at the root", spec: kkp, event: .pullRequest,
            changed: ["CHANGELOG.md"], selected: []),
        Scenario(
            name: "case sensitivity", spec: kkp, event: .push,
            changed: ["Terraform/main.tf", "README.MD"], selected: []),
        Scenario(
            name: "an empty change set selects only jobs without paths", spec: kkp, event: .push,
            changed: [], selected: []),
        Scenario(
            name: "manual runs select every job listening to manual, ignoring paths", spec: kkp, event: .manual,
            changed: [], selected: ["nightly"]),
        Scenario(
            name: "per-environment: a prod-only change runs only prod instances", spec: kops, event: .push,
            changed: ["clusters/prod/cluster.yaml"], selected: ["template@prod", "update@prod", "rolling-update@prod"]),
        Scenario(
            name: "per-environment: cascade stays in its environment", spec: kops, event: .push,
            changed: ["clusters/dev/nodes/pool.yaml"], selected: ["template@dev", "update@dev", "rolling-update@dev"]),
        Scenario(
            name: "per-environment: a shared template runs every environment in promotion order", spec: kops,
            event: .push,
            changed: ["templates/cluster.yaml"],
            selected: [
                "template@dev", "template@prod", "update@dev", "update@prod", "rolling-update@dev",
                "rolling-update@prod",
            ]),
        Scenario(
            name: "per-environment: a PR renders but never updates", spec: kops, event: .pullRequest,
            changed: ["templates/cluster.yaml"], selected: ["template@dev", "template@prod"]),
        Scenario(
            name: "a plan selected by cascade does not cascade further",
            spec: """
                version: 1
                environments: [prod]
                jobs:
                  apply:
                    on: [push]
                    paths: ["infra/**"]
                    mutates: true
                    environment: prod
                    run: x
                  next-plan:
                    needs: [apply]
                    paths: ["next/**"]
                    run: x
                  next-apply:
                    on: [push]
                    needs: [next-plan]
                    paths: ["next/**"]
                    mutates: true
                    environment: prod
                    run: x
                """, event: .push, changed: ["infra/main.tf"], selected: ["apply", "next-plan"]),
        Scenario(
            name: "dotfiles, spaces and non-ASCII paths",
            spec: """
                version: 1
                jobs:
                  hidden:
                    paths: [".github/**"]
                    run: x
                  spaced:
                    paths: ["my docs/*.md"]
                    run: x
                  unicode:
                    paths: ["données/**"]
                    run: x
                """, event: .pullRequest,
            changed: [".github/workflows/ci.yml", "my docs/read me.md", "données/été.csv"],
            selected: ["hidden", "spaced", "unicode"]),
    ]

    @Test(arguments: scenarios)
    func selection(_ scenario: Scenario) throws {
        let pipeline = try #require(SpecValidator.pipeline(text: scenario.spec).pipeline)
        let plan = Planner().plan(pipeline, event: scenario.event, changes: ChangeSet(paths: scenario.changed))
        #expect(plan.selectedIDs == scenario.selected)
        #expect(Set(plan.selectedIDs + plan.skipped.map(\.id)) == Set(pipeline.instances.map(\.id)))
        #expect(plan.selectedIDs.count + plan.skipped.count == pipeline.instances.count)
    }

    @Test func reasonsExplainEverySelection() throws {
        let pipeline = try #require(SpecValidator.pipeline(text: kkp).pipeline)
        let plan = Planner().plan(pipeline, event: .push, changes: ChangeSet(paths: ["kubeone/kubeone.yaml"]))
        let entry = selected(in: pipeline)
        #expect(
            plan.selected == [
                entry("kubeone-plan", [.matched(path: "kubeone/kubeone.yaml", pattern: "kubeone/**")]),
                entry("kubeone-apply", [.matched(path: "kubeone/kubeone.yaml", pattern: "kubeone/**")]),
                entry("kkp-install", [.cascade(from: "kubeone-apply")]),
            ])
        #expect(plan.skipped.first { $0.id == "tf-apply" }?.reason == .noMatch(patterns: ["terraform/**"]))
        #expect(
            plan.skipped.first { $0.id == "nightly" }?.reason
                == .eventNotListened(event: .push, on: [.schedule, .manual]))
    }

    @Test func pullInIsTransitiveAndNamesTheDependent() throws {
        let text = """
            version: 1
            environments: [prod]
            jobs:
              fmt:
                paths: ["terraform/**"]
                run: x
              plan:
                needs: [fmt]
                paths: ["terraform/**"]
                run: x
              apply:
                on: [push]
                needs: [plan]
                paths: ["apply.trigger"]
                mutates: true
                environment: prod
                run: x
            """
        let pipeline = try #require(SpecValidator.pipeline(text: text).pipeline)
        let plan = Planner().plan(pipeline, event: .push, changes: ChangeSet(paths: ["apply.trigger"]))
        let entry = selected(in: pipeline)
        #expect(
            plan.selected == [
                entry("fmt", [.pulledIn(by: "plan")]),
                entry("plan", [.pulledIn(by: "apply")]),
                entry("apply", [.matched(path: "apply.trigger", pattern: "apply.trigger")]),
            ])
    }

    @Test func aWithNeedsJobRunsOnlyWithTheJobsItNeeds() throws {
        let text = """
            version: 1
            environments: [prod]
            jobs:
              deploy:
                on: [push]
                paths: ["deploy/**"]
                mutates: true
                environment: prod
                produces: [kubeconfig]
                run: x
              smoke:
                on: [push]
                needs: [deploy]
                when: with-needs
                run: kubectl get nodes
              outputs:
                when: with-needs
                needs: [deploy]
                run: terraform output
              report:
                on: [push]
                needs: [outputs]
                paths: ["report/**"]
                run: x
            """
        let validated = SpecValidator.pipeline(text: text)
        let pipeline = try #require(validated.pipeline, "\(validated.diagnostics)")
        #expect(validated.diagnostics.isEmpty, "\(validated.diagnostics)")
        let entry = selected(in: pipeline)
        let deployed = Planner().plan(pipeline, event: .push, changes: ChangeSet(paths: ["deploy/app.yaml"]))
        #expect(deployed.selected.map(\.id) == ["deploy", "smoke", "outputs"])
        #expect(deployed.selected[1] == entry("smoke", [.cascade(from: "deploy")]))
        // A change elsewhere does not run it, and says why.
        let other = Planner().plan(pipeline, event: .push, changes: ChangeSet(paths: ["README.md"]))
        #expect(other.selected.isEmpty)
        #expect(other.skipped.first { $0.id == "smoke" }?.reason == .onlyWithNeeds)
        // A job that needs it pulls it in.
        let reported = Planner().plan(pipeline, event: .push, changes: ChangeSet(paths: ["report/q3.md"]))
        #expect(
            reported.selected == [
                entry("outputs", [.pulledIn(by: "report")]),
                entry("report", [.matched(path: "report/q3.md", pattern: "report/**")]),
            ])
        // The triggers every generator compiles say the same.
        let triggers = pipeline.selectionTriggers(for: .push)
        #expect(triggers["smoke"] == ["deploy"])
        #expect(triggers["outputs"] == ["deploy", "report"])
    }

    @Test func pullRequestsSkipMutatingJobsWithTheReason() throws {
        let pipeline = try #require(SpecValidator.pipeline(text: kops).pipeline)
        let plan = Planner().plan(pipeline, event: .pullRequest, changes: ChangeSet(paths: ["templates/a"]))
        let update = plan.skipped.first { $0.id == "update@dev" }
        #expect(update?.reason == .mutatingOnPullRequest)
        #expect(update?.reason.description == "mutating jobs never run for pull requests")
        let pathsOnly = """
            version: 1
            jobs:
              a:
                run: x
                paths: ["**"]
            """
        let simple = try #require(SpecValidator.pipeline(text: pathsOnly).pipeline)
        #expect(
            Planner().plan(simple, event: .pullRequest, changes: ChangeSet(paths: [])).skipped.first?.reason
                == .nothingChanged)
    }

    /// Random DAGs: the plan is always in a valid order, pull-ins are non-mutating, no mutating
    /// instance runs for a pull request, and a direct match is always selected.
    @Test func randomPipelinesKeepTheInvariants() throws {
        var generator = SeededGenerator(seed: 0x5eed)
        for _ in 0..<200 {
            let count = Int.random(in: 2...12, using: &generator)
            var text = "version: 1\nenvironments: [dev, prod]\njobs:\n"
            let directories = ["a", "b", "c", "dev", "prod"]
            for index in 0..<count {
                let mutating = Bool.random(using: &generator)
                let perEnvironment = Int.random(in: 0..<4, using: &generator) == 0
                let needs = (0..<index).filter { _ in Int.random(in: 0..<4, using: &generator) == 0 }.map { "j\($0)" }
                text += "  j\(index):\n    run: x\n"
                // Some jobs have no paths; per-environment jobs may filter by their environment.
                switch Int.random(in: 0..<6, using: &generator) {
                case 0: break
                case 1 where perEnvironment: text += "    paths: [\"{environment}/**\"]\n"
                default: text += "    paths: [\"\(directories.randomElement(using: &generator)!)/**\"]\n"
                }
                if !needs.isEmpty { text += "    needs: [\(needs.joined(separator: ", "))]\n" }
                if perEnvironment { text += "    environment: each\n" }
                if mutating {
                    text += "    mutates: true\n    on: [push]\n"
                    if !perEnvironment { text += "    environment: prod\n" }
                }
            }
            let pipeline = try #require(SpecValidator.pipeline(text: text).pipeline)
            for event in [Event.pullRequest, .push] {
                let changed = directories.filter { _ in Bool.random(using: &generator) }.map { "\($0)/file" }
                let plan = Planner().plan(pipeline, event: event, changes: ChangeSet(paths: changed))
                let order = plan.selectedIDs
                for id in order {
                    let instance = try #require(pipeline.instance(id))
                    if event == .pullRequest { #expect(!instance.mutates) }
                    for need in instance.needs where order.contains(need) {
                        #expect(order.firstIndex(of: need)! < order.firstIndex(of: id)!)
                    }
                    if instance.mutates {
                        #expect(
                            plan.selected.first { $0.id == id }!.reasons.allSatisfy { reason in
                                if case .pulledIn = reason { return false } else { return true }
                            })
                    }
                }
                for instance in pipeline.instances
                where instance.events.contains(event) && !(event == .pullRequest && instance.mutates) {
                    if changed.contains(where: instance.patterns.matches) { #expect(order.contains(instance.id)) }
                }
                // Rule 5: the static trigger lists the generators compile select exactly the same.
                let triggers = pipeline.selectionTriggers(for: event)
                func direct(_ id: String) -> Bool {
                    guard let instance = pipeline.instance(id), pipeline.takesPart(instance, in: event) else {
                        return false
                    }
                    return instance.patterns.patterns.isEmpty || changed.contains(where: instance.patterns.matches)
                }
                for instance in pipeline.instances {
                    let viaTriggers = (triggers[instance.id] ?? []).contains(where: direct)
                    #expect(viaTriggers == order.contains(instance.id), "\(instance.id) for \(event)")
                }
            }
        }
    }
}

/// Builds the planner's `SelectedInstance` for an instance of `pipeline`, with its fingerprint.
private func selected(in pipeline: Pipeline) -> (String, [SelectionReason]) -> SelectedInstance {
    { id, reasons in
        SelectedInstance(
            id: id, reasons: reasons, fingerprint: pipeline.instance(id)?.fingerprint ?? "?",
            approval: pipeline.instance(id)?.approval)
    }
}
