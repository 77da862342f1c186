import Foundation
import SlipwayBundles
import SlipwayCore
import SlipwayGenerators
import SlipwayTesting
import Testing
import Yams

private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// Finds a validator that scripts/bootstrap.sh installs; a missing one fails the test with the fix.
private func tool(_ name: String) throws -> String {
    let directories =
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        + [NSHomeDirectory() + "/.local/bin"]
    if let found = directories.map({ "\($0)/\(name)" }).first(where: FileManager.default.isExecutableFile(atPath:)) {
        return found
    }
    Issue.record("\(name) is not installed; scripts/test.sh installs everything the tests need")
    throw CancellationError()
}

/// The pipelines every platform's output is validated for: the examples, the `slipway.yml` of
/// each `init --preset kkp` variant, and random specs.
private func pipelines(examples: [String] = ["kkp", "kops"], negations: Bool = true) throws -> [(
    name: String, pipeline: Pipeline
)] {
    var result: [(String, Pipeline)] = []
    for example in examples {
        let validated = SpecValidator.pipeline(path: "\(repositoryRoot)/examples/\(example)/slipway.yml")
        result.append((example, try #require(validated.pipeline)))
    }
    for variant in KKPFixtures.variants {
        let files = try KKPFixtures.repository(git: variant.git, extra: variant.extra)
        let spec = try #require(files.first { $0.path == "slipway.yml" })
        let validated = SpecValidator.pipeline(text: spec.contents)
        result.append((variant.name, try #require(validated.pipeline, "\(validated.diagnostics)")))
    }
    for variant in KOpsFixtures.variants {
        let files = try KOpsFixtures.repository(git: variant.git, extra: variant.extra)
        let spec = try #require(files.first { $0.path == "slipway.yml" })
        let validated = SpecValidator.pipeline(text: spec.contents)
        result.append((variant.name, try #require(validated.pipeline, "\(validated.diagnostics)")))
    }
    // Wizard repositories adopted by `init --adopt`, one per Git provider.
    var gitlab = WizardFixtures.awsRepository(pipeline: (".gitlab-ci.yml", WizardFixtures.gitlabPipeline))
    gitlab["terraform/aws/backend.tf"] = "terraform {\n  backend \"http\" {}\n}\n"
    for (name, files) in [
        ("kkp-adopted-github", WizardFixtures.awsRepository()), ("kkp-adopted-gitlab", gitlab),
        ("kkp-adopted-github-gce", WizardFixtures.repository(git: "github", cloud: "gce")),
        ("kkp-adopted-bitbucket-gce", WizardFixtures.repository(git: "bitbucket", cloud: "gce")),
        ("kkp-adopted-gitlab-azure", WizardFixtures.repository(git: "gitlab", cloud: "azure")),
        (
            "kkp-adopted-bitbucket",
            WizardFixtures.awsRepository(pipeline: ("bitbucket-pipelines.yml", WizardFixtures.bitbucketPipeline))
        ),
    ] {
        let adopted = try KKPAdoption.files(
            for: try WizardRepository.detect(files),
            given: ["git-owner": KKPAnswers.Given("acme"), "git-repository": KKPAnswers.Given("platform")])
        let adoptedSpec = try #require(adopted.first { $0.path == "slipway.yml" })
        let validated = SpecValidator.pipeline(text: adoptedSpec.contents)
        result.append((name, try #require(validated.pipeline, "\(name): \(validated.diagnostics)")))
    }
    var generator = SeededGenerator(seed: 0x7A11D)
    for index in 0..<4 {
        result.append(
            (
                "random\(index)",
                try #require(SpecValidator.pipeline(text: randomSpec(using: &generator, negations: negations)).pipeline)
            ))
    }
    return result
}

/// Generated GitHub workflows pass the validators a careful reviewer would run.
@Suite struct GitHubValidatorTests {
    @Test func schemaActionlintZizmorYamllintAndShellcheckPass() async throws {
        let checkJSONSchema = try tool("check-jsonschema")
        let zizmor = try tool("zizmor")
        let yamllint = try tool("yamllint")
        let shellcheck = try tool("shellcheck")
        let actionlint = try tool("actionlint")
        for (name, pipeline) in try pipelines() {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let file = try #require(try GitHubGenerator().generate(pipeline).first)
            try directory.write(file.path, file.contents)

            // actionlint checks expressions, needs, job outputs and (with shellcheck) every run.
            let actions = try await run(actionlint, ["-no-color", file.path], in: directory.path)
            #expect(actions.status == 0, "\(name): \(actions.standardOutput)\(actions.standardError)")

            let schema = try await run(
                checkJSONSchema, ["--builtin-schema", "vendor.github-workflows", file.path], in: directory.path)
            #expect(schema.status == 0, "\(name): \(schema.standardOutput)\(schema.standardError)")
            let audit = try await run(zizmor, ["--offline", "--persona", "pedantic", file.path], in: directory.path)
            #expect(audit.status == 0, "\(name): \(audit.standardOutput)\(audit.standardError)")
            let lint = try await run(
                yamllint, ["--strict", "-c", "\(repositoryRoot)/.yamllint.yml", file.path], in: directory.path)
            #expect(lint.status == 0, "\(name): \(lint.standardOutput)\(lint.standardError)")

            // Every bash step, as GitHub runs it.
            let document = try #require(try Yams.load(yaml: file.contents) as? [String: Any])
            let jobs = try #require(document["jobs"] as? [String: [String: Any]])
            var scripts = 0
            for (key, job) in jobs.sorted(by: { $0.key < $1.key }) {
                for (index, step) in (job["steps"] as? [[String: Any]] ?? []).enumerated() {
                    guard let script = step["run"] as? String else { continue }
                    scripts += 1
                    let path = "scripts/\(key)-\(index).sh"
                    try directory.write(path, "#!/usr/bin/env bash\nset -euo pipefail\n" + script)
                    let check = try await run(shellcheck, ["--severity=style", path], in: directory.path)
                    #expect(check.status == 0, "\(name) \(key) step \(index):\n\(check.standardOutput)")
                }
            }
            #expect(scripts >= jobs.count)
            // The scripts the workflow holds once for every job that evaluates them.
            for (key, value) in (document["env"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let script = value as? String, script.contains("\n") else { continue }
                let path = "scripts/env-\(key).sh"
                try directory.write(path, "#!/usr/bin/env bash\nset -euo pipefail\n" + script)
                let check = try await run(shellcheck, ["--severity=style", path], in: directory.path)
                #expect(check.status == 0, "\(name) env \(key):\n\(check.standardOutput)")
            }
        }
    }
}

/// Generated GitLab configurations (the parent pipeline and the child's jobs) pass GitLab's schema
/// and yamllint, and the detection script and every job's scripts pass shellcheck.
@Suite struct GitLabValidatorTests {
    @Test func schemaYamllintAndShellcheckPass() async throws {
        let checkJSONSchema = try tool("check-jsonschema")
        let yamllint = try tool("yamllint")
        let shellcheck = try tool("shellcheck")
        for (name, pipeline) in try pipelines(examples: ["kops", "kkp"]) {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let files = try GitLabGenerator().generate(pipeline)
            for file in files { try directory.write(file.path, file.contents) }
            for path in [GitLabGenerator.path, GitLabGenerator.jobsPath] {
                let schema = try await run(
                    checkJSONSchema, ["--builtin-schema", "vendor.gitlab-ci", "--data-transform", "gitlab-ci", path],
                    in: directory.path)
                #expect(schema.status == 0, "\(name) \(path): \(schema.standardOutput)\(schema.standardError)")
                let lint = try await run(
                    yamllint, ["--strict", "-c", "\(repositoryRoot)/.yamllint.yml", path], in: directory.path)
                #expect(lint.status == 0, "\(name) \(path): \(lint.standardOutput)\(lint.standardError)")
            }
            let detection = try await run(
                shellcheck, ["--severity=style", GitLabGenerator.detectionPath], in: directory.path)
            #expect(detection.status == 0, "\(name) detection:\n\(detection.standardOutput)")

            let jobs = try #require(files.first { $0.path == GitLabGenerator.jobsPath }?.contents)
            let document = try #require(try Yams.load(yaml: jobs) as? [String: Any])
            var scripts = 0
            var functions = document["variables"] as? [String: Any] ?? [:]
            functions = functions.filter { $0.key.hasSuffix("_FUNCTION") || $0.key.hasSuffix("_FUNCTIONS") }
            for (key, value) in document.sorted(by: { $0.key < $1.key }) {
                guard let job = value as? [String: Any], let variables = job["variables"] as? [String: Any] else {
                    continue
                }
                for variable in ["SLIPWAY_WRAPPER", "SLIPWAY_SCRIPT"] {
                    guard let script = (variables[variable] as? [String: Any])?["value"] as? String else { continue }
                    scripts += 1
                    let path = "scripts/\(key)-\(variable).sh"
                    try directory.write(path, "#!/usr/bin/env bash\nset -euo pipefail\n" + script)
                    let check = try await run(shellcheck, ["--severity=style", path], in: directory.path)
                    #expect(check.status == 0, "\(name) \(key) \(variable):\n\(check.standardOutput)")
                }
            }
            for (key, value) in functions {
                guard let script = (value as? [String: Any])?["value"] as? String else { continue }
                scripts += 1
                let path = "scripts/\(key).sh"
                try directory.write(path, "#!/usr/bin/env bash\n" + script)
                let check = try await run(shellcheck, ["--severity=style", path], in: directory.path)
                #expect(check.status == 0, "\(name) \(key):\n\(check.standardOutput)")
            }
            #expect(scripts >= 2)
        }
    }
}

/// Generated Bitbucket configurations pass Bitbucket's schema, yamllint and shellcheck.
@Suite struct BitbucketValidatorTests {
    @Test func schemaYamllintAndShellcheckPass() async throws {
        let checkJSONSchema = try tool("check-jsonschema")
        let yamllint = try tool("yamllint")
        let shellcheck = try tool("shellcheck")
        for (name, pipeline) in try pipelines() {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let file = try #require(try BitbucketGenerator().generate(pipeline).first)
            try directory.write(file.path, file.contents)
            let schema = try await run(
                checkJSONSchema, ["--builtin-schema", "vendor.bitbucket-pipelines", file.path], in: directory.path)
            #expect(schema.status == 0, "\(name): \(schema.standardOutput)\(schema.standardError)")
            let lint = try await run(
                yamllint, ["--strict", "-c", "\(repositoryRoot)/.yamllint.yml", file.path], in: directory.path)
            #expect(lint.status == 0, "\(name): \(lint.standardOutput)\(lint.standardError)")
            // Every script a step writes with its here-document.
            var scripts = 0
            for script in try bitbucketStepScripts(file.contents) {
                scripts += 1
                let path = "scripts/step-\(scripts).sh"
                try directory.write(path, "#!/usr/bin/env bash\nset -euo pipefail\n" + script)
                let check = try await run(shellcheck, ["--severity=style", path], in: directory.path)
                #expect(check.status == 0, "\(name) step \(scripts):\n\(check.standardOutput)")
            }
            #expect(scripts >= 2)
        }
    }
}
