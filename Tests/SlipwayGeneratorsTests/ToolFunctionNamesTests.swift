import Foundation
import SlipwayCore
import SlipwayTesting
import Testing
import Yams

@testable import SlipwayGenerators

/// Each pinned tool gets its own install and check functions, named after it, also when tools'
/// names differ only in characters bash does not allow in a function name.
@Suite struct ToolFunctionNamesTests {
    @Test func toolsWhoseNamesOnlyBashConfusesGetFunctionsOfTheirOwn() async throws {
        let spec = """
            version: 1
            tools:
              kube.ctl: { version: 1.0.0, url: "https://example.com/a/{version}/{os}-{arch}" }
              kube-ctl: { version: 2.0.0, url: "https://example.com/b/{version}/{os}-{arch}" }
              kube_ctl: { version: 3.0.0, url: "https://example.com/c/{version}/{os}-{arch}" }
            jobs:
              check: { paths: ["**"], image: "alpine:3", run: kube.ctl && kube-ctl && kube_ctl }
            """
        let result = SpecValidator.pipeline(text: spec)
        let pipeline = try #require(result.pipeline, "\(result.diagnostics)")
        #expect(
            ToolScripts.functionNames(pipeline.tools) == [
                "kube.ctl": "kube_ctl", "kube-ctl": "kube_ctl_2", "kube_ctl": "kube_ctl_3",
            ])

        // The job's step, run as GitHub runs it, checks each tool against its own version: a
        // mix-up would find the wrong version and fail.
        let text = try GitHubGenerator().generate(pipeline)[0].contents
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let functions = try #require((document["env"] as? [String: Any])?["SLIPWAY_TOOL_FUNCTIONS"] as? String)
        let job = try #require((document["jobs"] as? [String: Any])?["check"] as? [String: Any])
        let steps = try #require(job["steps"] as? [[String: Any]])
        let check = try #require(steps.first { ($0["name"] as? String)?.hasPrefix("Check ") == true })
        let script = try #require(check["run"] as? String)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for (name, version) in [("kube.ctl", "1.0.0"), ("kube-ctl", "2.0.0"), ("kube_ctl", "3.0.0")] {
            try directory.writeExecutable("bin/\(name)", "#!/bin/sh\necho \"\(name) v\(version)\"\n")
        }
        func runCheck() async throws -> CommandResult {
            try await run(
                "bash", ["--noprofile", "--norc", "-euo", "pipefail", "-c", script], in: directory.path,
                environment: ["SLIPWAY_TOOL_FUNCTIONS": functions, "PATH": "\(directory.path)/bin:/usr/bin:/bin"])
        }
        let passed = try await runCheck()
        #expect(passed.status == 0, "\(passed.standardOutput)\(passed.standardError)")
        // Swapping two of the tools is caught, naming the one whose version is wrong.
        try directory.writeExecutable("bin/kube-ctl", "#!/bin/sh\necho \"kube-ctl v3.0.0\"\n")
        let swapped = try await runCheck()
        #expect(swapped.status == 1)
        #expect(swapped.standardError.contains("slipway.yml pins kube-ctl 2.0.0"))
    }
}
