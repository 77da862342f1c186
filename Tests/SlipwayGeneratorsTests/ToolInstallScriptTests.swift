import Foundation
import SlipwayCore
import SlipwayGenerators
import SlipwayRunner
import SlipwayTesting
import Testing
import Yams

/// The generated install steps, run for real under bash against release archives on a loopback
/// server, and compared with what `slipway tools install` makes of the same releases.
@Suite struct ToolInstallScriptTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let terraformZip = "releases.hashicorp.com/terraform/1.11.4/terraform_1.11.4_linux_amd64.zip"
    static let helmArchive = "get.helm.sh/helm-v3.16.3-linux-amd64.tar.gz"
    static let kopsBinary = "github.com/kubernetes/kops/releases/download/v1.31.0/kops-linux-amd64"

    static func releases() async throws -> ReleaseServer {
        let server = try await ReleaseServer(repository: repository)
        try server.zip(terraformZip, ["terraform": ReleaseServer.printing("Terraform v1.11.4\non linux_amd64")])
        try server.tarGzip(helmArchive, ["linux-amd64/helm": ReleaseServer.printing("v3.16.3+gcfd0749")])
        try server.file(kopsBinary, ReleaseServer.printing("Client version: 1.31.0"))
        return server
    }

    static func pipeline(_ server: ReleaseServer, terraformDigest: String? = nil) throws -> Pipeline {
        let text = """
            version: 1
            tools:
              terraform: { version: 1.11.4, sha256: { linux-amd64: \(try terraformDigest ?? server.sha256(terraformZip)) } }
              helm: { version: 3.16.3, sha256: { linux-amd64: \(try server.sha256(helmArchive)) } }
              kops: { version: 1.31.0, sha256: { linux-amd64: \(try server.sha256(kopsBinary)), darwin-arm64: \(String(repeating: "0", count: 64)) } }
              kubeone: 1.9.2
              flux: 2.4.0
            jobs:
              deploy: { paths: ["**"], run: "terraform apply && helm upgrade x . && kops update cluster" }
              chart: { paths: ["**"], run: "helm lint .", image: "alpine/helm:3.16.3" }
              cluster: { paths: ["**"], run: "kubeone apply && flux bootstrap" }
            """
        return try #require(SpecValidator.pipeline(text: text).pipeline)
    }

    /// The functions every GitHub job that runs a pinned tool evaluates (the workflow's `env`).
    static func gitHubFunctions(_ pipeline: Pipeline) throws -> String {
        let text = try Generators.generate(.github, pipeline)[0].contents
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        return try #require((document["env"] as? [String: Any])?["SLIPWAY_TOOL_FUNCTIONS"] as? String)
    }

    /// The script of a GitHub step of `pipeline(_:)` and the workflow's functions, with the
    /// release server already stopped: for steps that must fail before they download anything.
    static func offlineStep(
        job slug: String, named prefix: String
    ) async throws -> (script: String, functions: String, mirror: String) {
        let server = try await releases()
        let pipeline = try pipeline(server)
        await server.stop()
        return (try gitHubStep(pipeline, job: slug, named: prefix), try gitHubFunctions(pipeline), server.mirror)
    }

    /// The script of the GitHub step whose name starts with `prefix`, in job `slug`.
    static func gitHubStep(_ pipeline: Pipeline, job slug: String, named prefix: String) throws -> String {
        let text = try Generators.generate(.github, pipeline)[0].contents
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let job = try #require((document["jobs"] as? [String: Any])?[slug] as? [String: Any])
        let steps = try #require(job["steps"] as? [[String: Any]])
        let step = try #require(steps.first { ($0["name"] as? String)?.hasPrefix(prefix) == true })
        return try #require(step["run"] as? String)
    }

    /// Runs a GitHub step's script as the runner would, with the workflow's functions in its
    /// environment.
    static func bash(
        _ script: String, functions: String, in directory: String, mirror: String, path: String = "/usr/bin:/bin",
        environment: [String: String] = [:]
    ) async throws -> CommandResult {
        try await run(
            "bash", ["--noprofile", "--norc", "-euo", "pipefail", "-c", script], in: directory,
            environment: [
                ToolMirror.variable: mirror, "PATH": path, "GITHUB_PATH": "\(directory)/github-path",
                "SLIPWAY_TOOL_FUNCTIONS": functions,
            ].merging(environment) { _, extra in extra })
    }

    /// Every path under `directory`, with what it is: a link's target, or a file's contents.
    static func tree(_ directory: String) throws -> [String: String] {
        var entries: [String: String] = [:]
        let manager = FileManager.default
        for case let relative as String in manager.enumerator(atPath: directory) ?? NSEnumerator() {
            let path = "\(directory)/\(relative)"
            if let target = try? manager.destinationOfSymbolicLink(atPath: path) {
                entries[relative] = "link to \(target)"
            } else if let data = manager.contents(atPath: path) {
                let mode = (try manager.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0
                entries[relative] = "mode \(String(mode, radix: 8)): " + String(decoding: data, as: UTF8.self)
            } else {
                entries[relative] = "directory"
            }
        }
        return entries
    }

    @Test func theGeneratedStepInstallsWhatSlipwayToolsInstallDoesAndThenUsesTheCache() async throws {
        let server = try await Self.releases()
        let pipeline = try Self.pipeline(server)
        let script = try Self.gitHubStep(pipeline, job: "deploy", named: "Install ")
        let functions = try Self.gitHubFunctions(pipeline)
        #expect(script.hasPrefix("eval \"$SLIPWAY_TOOL_FUNCTIONS\"\n"))
        let shellcheck = try await run("shellcheck", ["-s", "bash", "-"], in: "/", input: functions)
        #expect(shellcheck.status == 0, "\(shellcheck.standardOutput)")

        // The same text installs the tools on GitLab and Bitbucket: GitLab evaluates the same
        // functions from a file-wide variable, Bitbucket has none and defines them in the step.
        let gitlab = try gitLabJobs(pipeline)
        let gitlabDocument = try #require(try Yams.load(yaml: gitlab) as? [String: Any])
        let wrapper = try #require(
            (((gitlabDocument["deploy"] as? [String: Any])?["variables"] as? [String: Any])?["SLIPWAY_WRAPPER"]
                as? [String: Any])?["value"] as? String)
        #expect(wrapper.contains(script))
        #expect(
            ((gitlabDocument["variables"] as? [String: Any])?["SLIPWAY_TOOL_FUNCTIONS"] as? [String: Any])?["value"]
                as? String == functions)
        let afterEval = String(script.dropFirst("eval \"$SLIPWAY_TOOL_FUNCTIONS\"\n".count))
        let bitbucketText = try Generators.generate(.bitbucket, pipeline)[0].contents
        let bitbucket = try bitbucketStepScripts(bitbucketText)
        #expect(bitbucket.contains { $0.contains(". \"${TMPDIR:-/tmp}/slipway-tool-functions.sh\"\n" + afterEval) })
        // Bitbucket holds the functions once, anchored, and every later step repeats the item.
        #expect(bitbucketText.components(separatedBy: "slipway_install() {").count == 2)
        let written =
            "cat >\"${TMPDIR:-/tmp}/slipway-tool-functions.sh\" <<'SLIPWAY_TOOLS_EOF'\n" + functions
            + "SLIPWAY_TOOLS_EOF\n"
        let branches = try #require(
            ((try Yams.load(yaml: bitbucketText) as? [String: Any])?["pipelines"] as? [String: Any])?["branches"]
                as? [String: Any])
        let deploy = try #require(
            (branches["main"] as? [[String: Any]])?.compactMap { $0["step"] as? [String: Any] }.first {
                $0["name"] as? String == "deploy"
            })
        #expect((deploy["script"] as? [String])?.dropFirst().first == written)

        let ci = try TemporaryDirectory()
        defer { ci.remove() }
        let first = try await Self.bash(script, functions: functions, in: ci.path, mirror: server.mirror)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(
            first.standardOutput.contains(
                "terraform 1.11.4: downloaded from \(server.mirror)/\(Self.terraformZip), verified by SHA-256"))
        #expect(first.standardOutput.contains("kops 1.31.0: downloaded from"))
        // Later steps of the job find the tools: GitHub reads $GITHUB_PATH.
        let githubPath = try String(contentsOfFile: "\(ci.path)/github-path", encoding: .utf8)
        #expect(githubPath.split(separator: "\n").count == 3)
        let use = try await run(
            "bash", ["-c", "terraform version && helm version --short && kops version"], in: ci.path,
            environment: ["PATH": githubPath.split(separator: "\n").joined(separator: ":") + ":/usr/bin:/bin"])
        #expect(use.standardOutput == "Terraform v1.11.4\non linux_amd64\nv3.16.3+gcfd0749\nClient version: 1.31.0\n")

        // What `slipway tools install` makes of the same releases is the same tree.
        let workstation = try TemporaryDirectory()
        defer { workstation.remove() }
        let installer = ToolInstaller(
            cache: ToolCache(state: StateDirectory(root: workstation.path), platform: .linuxAMD64),
            mirror: server.mirror, path: "/usr/bin:/bin")
        for tool in pipeline.instance("deploy")?.tools ?? [] { _ = try await installer.install(tool) }
        let generated = try Self.tree("\(ci.path)/.slipway/tools")
        #expect(generated.keys.contains("terraform/1.11.4/linux-amd64/bin/terraform"))
        #expect(try Self.tree("\(workstation.path)/.slipway/tools") == generated)

        // A cache written by a less trusted run is not trusted: an altered archive is fetched
        // again, and what was unpacked is unpacked afresh from the verified archive.
        let tools = "\(ci.path)/.slipway/tools"
        let helmArchive = "\(tools)/downloads/\(try server.sha256(Self.helmArchive))"
        try Data("altered".utf8).write(to: URL(fileURLWithPath: helmArchive))
        // A directory where an archive belongs must not swallow the fresh download.
        let kopsArchive = "\(tools)/downloads/\(try server.sha256(Self.kopsBinary))"
        try FileManager.default.removeItem(atPath: kopsArchive)
        try FileManager.default.createDirectory(atPath: "\(kopsArchive)/stray", withIntermediateDirectories: true)
        try Data(ReleaseServer.printing("Terraform v1.11.4 (altered)").utf8).write(
            to: URL(fileURLWithPath: "\(tools)/terraform/1.11.4/linux-amd64/files/terraform"))
        let poisoned = try await Self.bash(script, functions: functions, in: ci.path, mirror: server.mirror)
        #expect(poisoned.status == 0, "\(poisoned.standardError)")
        #expect(poisoned.standardOutput.contains("helm 3.16.3: downloaded from"))
        #expect(poisoned.standardOutput.contains("kops 1.31.0: downloaded from"))
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: kopsArchive))
                == Data(ReleaseServer.printing("Client version: 1.31.0").utf8))
        #expect(poisoned.standardOutput.contains("terraform 1.11.4: from the cache, verified by SHA-256"))
        let restored = try await run(
            "bash", ["-c", "\(tools)/terraform/1.11.4/linux-amd64/bin/terraform"], in: ci.path)
        #expect(restored.standardOutput == "Terraform v1.11.4\non linux_amd64\n")

        // A later run, with the archives restored from the cache, downloads nothing.
        await server.stop()
        let second = try await Self.bash(script, functions: functions, in: ci.path, mirror: server.mirror)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(second.standardOutput.contains("terraform 1.11.4: from the cache, verified by SHA-256"))
        #expect(second.standardOutput.contains("helm 3.16.3: from the cache, verified by SHA-256"))
    }

    @Test func aWrongDigestStopsTheJobAndInstallsNothing() async throws {
        let server = try await Self.releases()
        let pinned = String(repeating: "f", count: 64)
        let pipeline = try Self.pipeline(server, terraformDigest: pinned)
        let script = try Self.gitHubStep(pipeline, job: "deploy", named: "Install ")
        let functions = try Self.gitHubFunctions(pipeline)
        let ci = try TemporaryDirectory()
        defer { ci.remove() }
        let result = try await Self.bash(script, functions: functions, in: ci.path, mirror: server.mirror)
        #expect(result.status == 1)
        #expect(
            result.standardError.contains(
                "error: terraform from \(server.mirror)/\(Self.terraformZip) is not the release slipway.yml pins: its SHA-256 is \(try server.sha256(Self.terraformZip)), slipway.yml says \(pinned); nothing was installed"
            ))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(ci.path)/.slipway/tools") == [])

        // An unreachable server: also nothing, and curl's reason on the line before.
        await server.stop()
        let unreachable = try await Self.bash(script, functions: functions, in: ci.path, mirror: server.mirror)
        #expect(unreachable.status == 1)
        #expect(unreachable.standardError.contains("error: could not download terraform 1.11.4 from \(server.mirror)/"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(ci.path)/.slipway/tools") == [])
    }

    @Test func toolsWithoutDigestsAreAllNamedBeforeTheJobStops() async throws {
        let (script, functions, mirror) = try await Self.offlineStep(job: "cluster", named: "Install ")
        let ci = try TemporaryDirectory()
        defer { ci.remove() }
        let result = try await Self.bash(
            script, functions: functions, in: ci.path, mirror: mirror, environment: ["GITHUB_ACTIONS": "true"])
        #expect(result.status == 1)
        #expect(
            result.standardError.contains(
                "error: slipway.yml pins no SHA-256 for kubeone 1.9.2 on linux-amd64 (it pins: none)"))
        #expect(result.standardError.contains("error: slipway.yml pins no SHA-256 for flux 2.4.0 on linux-amd64"))
        // On GitHub each is also an annotation, which the run's summary shows.
        #expect(
            result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("::error::") } == [
                "::error::slipway.yml pins no SHA-256 for kubeone 1.9.2 on linux-amd64 (it pins: none)",
                "::error::slipway.yml pins no SHA-256 for flux 2.4.0 on linux-amd64 (it pins: none)",
            ])
    }

    @Test func aRunnerOfAnotherArchitectureIsToldSoNotToLockDigests() async throws {
        let (script, functions, mirror) = try await Self.offlineStep(job: "deploy", named: "Install ")
        let ci = try TemporaryDirectory()
        defer { ci.remove() }
        try ci.writeExecutable(
            "bin/uname", "#!/bin/sh\ncase $1 in -s) echo Linux ;; -m) echo ppc64le ;; esac\n")
        let result = try await Self.bash(
            script, functions: functions, in: ci.path, mirror: mirror, path: "\(ci.path)/bin:/usr/bin:/bin")
        #expect(result.status == 1)
        #expect(
            result.standardError.contains(
                "error: this runner is Linux/ppc64le; Slipway installs pinned tools on Linux and macOS, on x86_64 or arm64\nnote: run the job on such a runner, or give it an image with terraform 1.11.4, helm 3.16.3, kops 1.31.0"
            ))
        #expect(!result.standardError.contains("tools lock"))
        #expect(!FileManager.default.fileExists(atPath: "\(ci.path)/.slipway/tools/terraform"))
    }

    @Test func slipwayInstallsAZipWithPythonWhereUnzipIsMissingAndNeedsNoCurlForACachedArchive() async throws {
        let server = try await Self.releases()
        let pipeline = try Self.pipeline(server)
        let terraform = try #require(pipeline.tools.first { $0.name == "terraform" })
        let workstation = try TemporaryDirectory()
        defer { workstation.remove() }
        // A PATH with curl, tar and python3, but no unzip.
        for command in ["curl", "tar", "python3"] {
            let target = try #require(ProcessRunner.locate(command, path: "/usr/bin:/bin"))
            try FileManager.default.createDirectory(
                atPath: "\(workstation.path)/bin", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: "\(workstation.path)/bin/\(command)", withDestinationPath: target)
        }
        let cache = ToolCache(state: StateDirectory(root: workstation.path), platform: .linuxAMD64)
        let installer = ToolInstaller(cache: cache, mirror: server.mirror, path: "\(workstation.path)/bin")
        #expect(try await installer.install(terraform) == .installed("\(cache.directory(for: terraform))/bin"))
        let installed = try await run(
            "bash", ["-c", "\(cache.directory(for: terraform))/bin/terraform"], in: workstation.path)
        #expect(installed.standardOutput == "Terraform v1.11.4\non linux_amd64\n")

        // The release is gone but its verified archive is kept: no curl is needed to install it again.
        await server.stop()
        try FileManager.default.removeItem(atPath: cache.directory(for: terraform))
        try FileManager.default.removeItem(atPath: "\(workstation.path)/bin/curl")
        #expect(try await installer.install(terraform) == .installed("\(cache.directory(for: terraform))/bin"))
    }

    @Test func aJobWithAnImageChecksTheImagesToolsInstead() async throws {
        let (script, functions, mirror) = try await Self.offlineStep(job: "chart", named: "Check ")
        #expect(!script.contains("slipway_install"))
        let ci = try TemporaryDirectory()
        defer { ci.remove() }
        let missing = try await Self.bash(script, functions: functions, in: ci.path, mirror: mirror)
        #expect(missing.status == 1)
        #expect(
            missing.standardError.contains(
                "error: slipway.yml pins helm 3.16.3, but this job's image has no helm; use an image with it, or remove the job's image so CI installs it"
            ))

        try ci.writeExecutable("bin/helm", ReleaseServer.printing("v3.16.30+g1"))
        let wrong = try await Self.bash(
            script, functions: functions, in: ci.path, mirror: mirror, path: "\(ci.path)/bin:/usr/bin:/bin")
        #expect(wrong.status == 1)
        #expect(
            wrong.standardError.contains(
                "error: slipway.yml pins helm 3.16.3, but helm version --short printed: v3.16.30+g1\nnote: with an image, use one with helm 3.16.3; otherwise \(ci.path)/bin/helm is not the pinned release"
            ))

        try ci.writeExecutable("bin/helm", ReleaseServer.printing("v3.16.3+gcfd0749"))
        let right = try await Self.bash(
            script, functions: functions, in: ci.path, mirror: mirror, path: "\(ci.path)/bin:/usr/bin:/bin")
        #expect(right.status == 0, "\(right.standardError)")
    }

    /// The generated check and `slipway run`'s check decide alike on every output.
    @Test func bashAndSwiftAgreeOnWhatNamesAVersion() async throws {
        var generator = SeededGenerator(seed: 9)
        let pieces = ["1", "9", "1.9", ".", "v", "-rc1", " ", "\n", "11", "2", "+g", "x"]
        var cases: [(output: String, version: String)] = []
        for _ in 0..<150 {
            let output = (0..<Int.random(in: 0...6, using: &generator)).map { _ in
                pieces.randomElement(using: &generator)!
            }.joined()
            cases.append((output, ["1.9", "1.9.1", "11", "1.9-rc1"].randomElement(using: &generator)!))
        }
        var script = ""
        for (output, version) in cases {
            let pattern = VersionMatch.bashPattern(version: version)
            script += "found=\(BashText.quote(output)); p=\(BashText.quote(pattern)); "
            script += "if [[ \"$found\" =~ $p ]]; then echo 1; else echo 0; fi\n"
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await run("bash", ["-c", script], in: directory.path)
        let answers = result.standardOutput.split(separator: "\n").map { $0 == "1" }
        #expect(answers == cases.map { VersionMatch.contains($0.output, version: $0.version) })
    }
}

/// Single-quoting for bash, for test scripts.
enum BashText {
    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
