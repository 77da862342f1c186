import Foundation
import SlipwayCore
import SlipwayGenerators
import SlipwayRunner
import SlipwayTesting
import Testing
import Yams

/// What one place (the planner, a generated file, the runner) says about a job instance.
private struct Facts: Equatable, CustomStringConvertible {
    var variables: [String: String]
    var tools: [String: String]
    var receives: Set<String>
    var fingerprint: String

    var description: String {
        "variables \(variables.sorted { $0.key < $1.key }), tools \(tools.sorted { $0.key < $1.key }), "
            + "receives \(receives.sorted()), fingerprint \(fingerprint.prefix(12))"
    }
}

/// Random specs where variables are overridden at every layer, pinned tools appear as commands
/// and as mere arguments, per-environment jobs produce `{environment}` paths, and producers sit
/// several `needs` away.
private func randomSpec(using random: inout SeededGenerator) -> String {
    let tools = ["terraform", "kubeone", "helm", "kubectl", "flux"]
    let names = ["A", "B", "C", "REGION"]
    func value() -> String { ["x", "1.10", "yes", "a b", "eu-west-1"].randomElement(using: &random)! }
    func variables() -> String {
        let chosen = names.filter { _ in Int.random(in: 0..<3, using: &random) == 0 }
        return "{" + chosen.map { "\($0): \"\(value())\"" }.joined(separator: ", ") + "}"
    }
    var text = """
        version: 1
        env: \(variables())
        secrets: [TOKEN, KEY]
        tools: {terraform: 1.11.4, kubeone: 1.9.2, helm: 3.17.0}
        environments:
          - name: dev
            env: \(variables())
          - name: prod
            env: \(variables())
        jobs:

        """
    let count = Int.random(in: 2...8, using: &random)
    var perEnvironment: [Bool] = []
    for index in 0..<count {
        let each = Int.random(in: 0..<3, using: &random) == 0
        perEnvironment.append(each)
        let needs = (0..<index).filter { _ in Int.random(in: 0..<2, using: &random) == 0 }
        var script: [String] = []
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let tool = tools.randomElement(using: &random)!
            let other = tools.randomElement(using: &random)!
            switch Int.random(in: 0..<4, using: &random) {
            case 0: script.append("echo \(tool) \(other)")
            case 1: script.append("if command -v \(tool) >/dev/null; then \(other) version; fi")
            case 2: script.append("OUT=$(\(tool) version) # \(other)")
            default: script.append("\(tool) plan -out \(other).out")
            }
        }
        text += "  j\(index):\n    paths: [\"**\"]\n"
        text += "    run: |\n" + script.map { "      \($0)\n" }.joined()
        if !needs.isEmpty { text += "    needs: [\(needs.map { "j\($0)" }.joined(separator: ", "))]\n" }
        if each { text += "    environment: each\n" }
        if Bool.random(using: &random) { text += "    env: \(variables())\n" }
        if Int.random(in: 0..<3, using: &random) == 0 {
            text += "    produces: [\(each ? "\"out/{environment}/j\(index).txt\"" : "j\(index).txt")]\n"
        }
        if Int.random(in: 0..<3, using: &random) == 0 { text += "    secrets: [TOKEN]\n" }
        if Int.random(in: 0..<4, using: &random) == 0 { text += "    retry: 1\n" }
        if Int.random(in: 0..<4, using: &random) == 0 { text += "    workdir: sub\n" }
    }
    return text
}

/// A YAML mapping's string values.
private func strings(_ node: Any?) -> [String: String] {
    var result: [String: String] = [:]
    for (key, value) in node as? [String: Any] ?? [:] {
        if let text = value as? String { result[key] = text }
    }
    return result
}

/// Slipway's own variables and the secrets are not the job's variables.
private func jobVariables(_ variables: [String: String]) -> [String: String] {
    variables.filter { !$0.key.hasPrefix("SLIPWAY_") && !["TOKEN", "KEY"].contains($0.key) }
}

/// The tools and versions a generated tool check checks: its `slipway_check_NAME` calls, each
/// looked up in the definitions in `file` (`slipway_check_NAME() {` then
/// `slipway_check 'TOOL' 'VERSION' …`), which every platform's file holds once.
private func checkedTools(_ script: String, in file: String) -> [String: String] {
    var definitions: [String: (tool: String, version: String)] = [:]
    for match in file.matches(of: /slipway_check_(\w+)\(\) \{\n\s*slipway_check '([^']*)' '([^']*)'/) {
        definitions[String(match.1)] = (String(match.2), String(match.3))
    }
    var tools: [String: String] = [:]
    for line in script.split(separator: "\n") {
        guard let match = line.wholeMatch(of: /\s*slipway_check_(\w+)/), let tool = definitions[String(match.1)]
        else { continue }
        tools[tool.tool] = tool.version
    }
    return tools
}

/// The producers whose checksums a generated script verifies.
private func verifiedProducers(_ script: String) -> Set<String> {
    var producers: Set<String> = []
    for line in script.split(separator: "\n") {
        guard let range = line.range(of: "error: the checksums ") else { continue }
        producers.insert(String(line[range.upperBound...].split(separator: " ")[0]))
    }
    return producers
}

@Suite struct InstanceAgreementTests {
    /// For random specs, the planner, each generator and the runner agree on every instance's
    /// variables, the tools it runs, the files it receives and its fingerprint, each read back
    /// from what that place really emits.
    @Test func plannerGeneratorsAndRunnerAgreeOnEveryInstance() throws {
        var random = SeededGenerator(seed: 0x4A4F_4249)
        for _ in 0..<25 {
            let text = randomSpec(using: &random)
            let result = SpecValidator.pipeline(text: text)
            let pipeline = try #require(result.pipeline, "\(result.diagnostics)\n\(text)")
            let expected = Dictionary(
                uniqueKeysWithValues: pipeline.instances.map { instance in
                    (
                        instance.id,
                        Facts(
                            variables: Dictionary(uniqueKeysWithValues: instance.variables.map { ($0.name, $0.value) }),
                            tools: Dictionary(uniqueKeysWithValues: instance.tools.map { ($0.name, $0.version) }),
                            receives: Set(instance.receivesFrom), fingerprint: instance.fingerprint)
                    )
                })
            let places: [(String, [String: Facts])] = [
                ("plan", try planned(pipeline)),
                ("github", try github(pipeline)),
                ("gitlab", try gitlab(pipeline)),
                ("bitbucket", try bitbucket(pipeline)),
                ("runner", runner(pipeline)),
            ]
            for (place, facts) in places {
                for (id, want) in expected where place != "plan" || facts[id] != nil {
                    #expect(
                        facts[id] == want,
                        "\(place) differs on \(id):\n\(facts[id]?.description ?? "missing")\n\(want)\n\(text)")
                }
            }
        }
    }

    /// `plan --format json`: the fingerprint of every instance, selected or skipped.
    private func planned(_ pipeline: Pipeline) throws -> [String: Facts] {
        let plan = Planner().plan(pipeline, event: .push, changes: ChangeSet(paths: ["x"]))
        let document = try #require(try JSONSerialization.jsonObject(with: plan.jsonData()) as? [String: Any])
        var facts: [String: Facts] = [:]
        for entry in (document["selected"] as? [[String: Any]] ?? []) + (document["skipped"] as? [[String: Any]] ?? [])
        {
            let id = try #require(entry["id"] as? String)
            let instance = try #require(pipeline.instance(id))
            // The plan carries only the fingerprint; the other facts are the instance's own.
            facts[id] = Facts(
                variables: Dictionary(uniqueKeysWithValues: instance.variables.map { ($0.name, $0.value) }),
                tools: Dictionary(uniqueKeysWithValues: instance.tools.map { ($0.name, $0.version) }),
                receives: Set(instance.receivesFrom), fingerprint: try #require(entry["fingerprint"] as? String))
        }
        #expect(facts.count == pipeline.instances.count)
        return facts
    }

    private func github(_ pipeline: Pipeline) throws -> [String: Facts] {
        let text = try GitHubGenerator().generate(pipeline)[0].contents
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let workflowVariables = strings(document["env"])
        let jobs = try #require(document["jobs"] as? [String: Any])
        var facts: [String: Facts] = [:]
        for instance in pipeline.instances {
            let job = try #require(jobs[instance.slug] as? [String: Any])
            let steps = try #require(job["steps"] as? [[String: Any]])
            var tools: [String: String] = [:]
            var receives: Set<String> = []
            var fingerprint = ""
            for step in steps {
                tools.merge(checkedTools(step["run"] as? String ?? "", in: text)) { $1 }
                if (step["uses"] as? String)?.hasPrefix("actions/download-artifact@") == true {
                    let artifact = try #require(strings(step["with"])["name"])
                    let slug = String(artifact.dropFirst("slipway-".count))
                    receives.insert(try #require(pipeline.instances.first { $0.slug == slug }?.id))
                }
                if let value = strings(step["env"])["SLIPWAY_FINGERPRINT"] { fingerprint = value }
            }
            facts[instance.id] = Facts(
                variables: jobVariables(workflowVariables.merging(strings(job["env"])) { $1 }), tools: tools,
                receives: receives, fingerprint: fingerprint)
        }
        return facts
    }

    private func gitlab(_ pipeline: Pipeline) throws -> [String: Facts] {
        let text = try gitLabJobs(pipeline)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let globalVariables = strings(document["variables"])
        var facts: [String: Facts] = [:]
        for instance in pipeline.instances {
            let job = try #require(document[instance.slug] as? [String: Any])
            let variables = globalVariables.merging(strings(job["variables"])) { $1 }
            let wrapper = try #require(
                ((job["variables"] as? [String: Any])?["SLIPWAY_WRAPPER"] as? [String: Any])?["value"] as? String)
            var receives: Set<String> = []
            for need in job["needs"] as? [[String: Any]] ?? [] where need["artifacts"] as? Bool == true {
                let slug = try #require(need["job"] as? String)
                receives.insert(try #require(pipeline.instances.first { $0.slug == slug }?.id))
            }
            #expect(verifiedProducers(wrapper) == receives, "gitlab verifies what it receives: \(instance.id)")
            facts[instance.id] = Facts(
                variables: jobVariables(variables), tools: checkedTools(wrapper, in: text), receives: receives,
                fingerprint: variables["SLIPWAY_FINGERPRINT"] ?? "")
        }
        return facts
    }

    private func bitbucket(_ pipeline: Pipeline) throws -> [String: Facts] {
        let text = try BitbucketGenerator().generate(pipeline)[0].contents
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let branches = try #require((document["pipelines"] as? [String: Any])?["branches"] as? [String: Any])
        let steps = try #require(branches["main"] as? [[String: Any]])
        let scripts = try bitbucketStepScripts(text)
        var facts: [String: Facts] = [:]
        // The push pipeline: its detection step, then one step per instance, in order.
        for (offset, item) in steps.enumerated().dropFirst() {
            let id = try #require((item["step"] as? [String: Any])?["name"] as? String)
            // The push pipeline's steps come first in `bitbucketStepScripts`' order (`branches`).
            let script = scripts[offset]
            var variables: [String: String] = [:]
            for line in script.split(separator: "\n") where line.hasPrefix("export ") && line.contains("='") {
                let assignment = line.dropFirst("export ".count)
                let equals = try #require(assignment.firstIndex(of: "="))
                let quoted = assignment[assignment.index(after: equals)...]
                variables[String(assignment[..<equals])] = String(
                    quoted.dropFirst().dropLast().replacingOccurrences(of: "'\\''", with: "'"))
            }
            var fingerprint = ""
            for line in script.split(separator: "\n") where line.hasPrefix("export SLIPWAY_FINGERPRINT=") {
                fingerprint = String(line.dropFirst("export SLIPWAY_FINGERPRINT=".count))
            }
            facts[id] = Facts(
                variables: jobVariables(variables), tools: checkedTools(script, in: text),
                receives: verifiedProducers(script),
                fingerprint: fingerprint)
        }
        return facts
    }

    /// The runner: each job's process environment, what is restored before it starts, and the
    /// tools the pre-run check asks for.
    private func runner(_ pipeline: Pipeline) -> [String: Facts] {
        let ids = pipeline.instances.map(\.id)
        let executables = JobEnvironment.executables(
            for: ids, in: pipeline, root: "/repo", base: ["PATH": "/bin", "REGION": "from-shell"],
            secretValues: ["TOKEN": "t"], runID: "r", event: .push, summaryDirectory: "/repo/.slipway/runs/r")
        let artifacts = JobArtifacts.map(for: ScheduledJob.jobs(Set(ids), in: pipeline), in: pipeline)
        var facts: [String: Facts] = [:]
        for instance in pipeline.instances {
            let environment = executables[instance.id]?.environment ?? [:]
            var variables = jobVariables(environment).filter { $0.key != "PATH" }
            // The runner inherits the shell's variables; one the spec does not set stays the shell's.
            if variables["REGION"] == "from-shell" { variables["REGION"] = nil }
            facts[instance.id] = Facts(
                variables: variables,
                tools: Dictionary(
                    uniqueKeysWithValues: ToolCheck.tools(of: [instance.id], in: pipeline).map {
                        ($0.tool.name, $0.tool.version)
                    }),
                receives: Set(artifacts[instance.id]?.consumesFrom ?? []),
                fingerprint: environment["SLIPWAY_FINGERPRINT"] ?? "")
        }
        return facts
    }
}
