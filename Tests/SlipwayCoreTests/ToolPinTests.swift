import SlipwayTesting
import Testing

@testable import SlipwayCore

private let digest = String(repeating: "ab", count: 32)
private let other = String(repeating: "cd", count: 32)

private func load(_ text: String) -> (spec: Spec?, diagnostics: [Diagnostic]) {
    let result = SpecValidator.pipeline(text: text)
    return (SpecLoader().load(text: text, file: "slipway.yml").spec, result.diagnostics)
}

struct ToolPinTests {
    @Test func readsTheShortAndTheLongForm() throws {
        let (spec, diagnostics) = load(
            """
            version: 1
            tools:
              terraform: 1.11.4
              kubectl:
                version: 1.31.0
                sha256:
                  linux-amd64: \(digest.uppercased())
                  darwin-arm64: \(other)
              yq:
                version: 4.44.3
                url: https://github.com/mikefarah/yq/releases/download/v{version}/yq_{os}_{arch}.tar.gz
                checksums: https://github.com/mikefarah/yq/releases/download/v{version}/checksums-bsd
                binary: ./yq_{os}_{arch}
                versionArgs: --version
                replacements: { darwin: macos }
            jobs:
              lint: { run: "terraform fmt && kubectl version && yq .", paths: ["x"] }
            """)
        #expect(diagnostics.filter { $0.severity == .error } == [])
        let tools = try #require(spec?.tools)
        #expect(tools.map(\.name) == ["terraform", "kubectl", "yq"])
        #expect(tools[0] == ToolPin(name: "terraform", version: "1.11.4"))
        #expect(tools[1].sha256 == [.linuxAMD64: digest, .darwinARM64: other])
        #expect(tools[2].replacements == ["darwin": "macos"])
        #expect(tools[2].versionArgs == ["--version"])
    }

    @Test func reportsEachBadPinWhereItIs() {
        let marked = MarkedText(
            """
            version: 1
            tools:
              ⟨unknown⟩terrafrom: 1.11.4
              helm: ⟨prefix⟩v3.16.3
              kubectl:
                version: 1.31.0
                sha256:
                  ⟨platform⟩linux-amd46: \(digest)
                  linux-arm64: ⟨digest⟩abc
              aws:
                version: 2.17.0
                sha256: { ⟨unpublished⟩darwin-arm64: \(digest) }
              mine:
                version: 1.0.0
                url: ⟨http⟩http://example.com/mine-{version}.tar.gz
                binary: ⟨escape⟩../../bin/sh
              theirs:
                version: 1.0.0
                url: ⟨placeholder⟩https://example.com/{name}-{version}.zip
            jobs:
              lint: { run: "true", paths: ["x"] }
            """)
        let diagnostics = SpecValidator.pipeline(text: marked.text).diagnostics.filter { $0.severity == .error }
        #expect(
            diagnostics.map(\.kind) == [
                .unknownTool(tool: "terrafrom", suggestion: "terraform"),
                .invalidValue(
                    context: "the version of tool 'helm'", value: "v3.16.3",
                    expected:
                        "a version without a leading 'v', made of letters, digits, '.', '-' and '+', such as 1.11.4"),
                .unknownKey(
                    key: "linux-amd46", context: "'sha256' of tool 'kubectl'", suggestion: "linux-amd64",
                    known: ToolPlatform.all.map(\.key)),
                .invalidValue(
                    context: "'linux-arm64' of 'sha256' of tool 'kubectl'", value: "abc",
                    expected: "a SHA-256: 64 hexadecimal digits"),
                .toolNotPublished(tool: "aws", platform: "darwin-arm64", published: ["linux-amd64", "linux-arm64"]),
                .invalidValue(
                    context: "'url' of tool 'mine'", value: "http://example.com/mine-{version}.tar.gz",
                    expected: "an https:// URL"),
                .invalidValue(
                    context: "'binary' of tool 'mine'", value: "../../bin/sh",
                    expected: "a path inside the archive, without '..' or a leading '/'"),
                .invalidValue(
                    context: "'url' of tool 'theirs'", value: "https://example.com/{name}-{version}.zip",
                    expected: "a template whose only placeholders are {version}, {os} and {arch}"),
            ])
        #expect(
            diagnostics.map(\.location) == [
                marked.location("unknown"), marked.location("prefix"), marked.location("platform"),
                marked.location("digest"), marked.location("unpublished"), marked.location("http"),
                marked.location("escape"), marked.location("placeholder"),
            ])
    }

    @Test func replacementsCannotLeadOutOfTheArchive() {
        let marked = MarkedText(
            """
            version: 1
            tools:
              mine:
                version: 1.0.0
                url: https://example.com/mine-{version}-{os}-{arch}.tar.gz
                binary: "{arch}/mine"
                replacements: { ⟨escape⟩amd64: ../../.., arm64: aarch64 }
            jobs:
              lint: { run: mine, paths: ["x"] }
            """)
        let diagnostics = SpecValidator.pipeline(text: marked.text).diagnostics.filter { $0.severity == .error }
        #expect(
            diagnostics.map(\.kind) == [
                .invalidValue(
                    context: "'amd64' of 'replacements' of tool 'mine'", value: "../../..",
                    expected: "a spelling such as x86_64, without '/' or '..'")
            ])
        #expect(diagnostics.map(\.location) == [marked.location("escape")])
    }

    @Test func warnsWhenCIMustInstallAToolItCannotVerify() throws {
        let marked = MarkedText(
            """
            version: 1
            tools:
              ⟨terraform⟩terraform: 1.11.4
              kubectl: { version: 1.31.0, sha256: { linux-amd64: \(digest) } }
              ⟨kops⟩kops: { version: 1.31.0, sha256: { darwin-arm64: \(digest) } }
              helm: 3.16.3
            jobs:
              plan: { run: "terraform plan", paths: ["x"] }
              apply: { run: "terraform apply && kubectl get pods", paths: ["x"] }
              chart: { run: "helm template .", paths: ["x"], image: "alpine/helm:3.16.3" }
              roll: { run: "kops rolling-update cluster", paths: ["x"] }
            """)
        let warnings = SpecValidator.pipeline(text: marked.text).diagnostics.filter { $0.severity == .warning }
        // helm runs only in an image, where CI checks its version instead of installing it; kops is
        // locked only for a platform no hosted runner has.
        #expect(
            warnings.map(\.kind) == [
                .toolWithoutDigests(tool: "terraform", jobs: ["plan", "apply"], platform: nil),
                .toolWithoutDigests(tool: "kops", jobs: ["roll"], platform: "linux-amd64"),
            ])
        #expect(warnings.map(\.location) == [marked.location("terraform"), marked.location("kops")])
    }

    @Test func lockingAChangedDigestRemovesTheDigestsNotReadAgain() {
        let (old, new) = (String(repeating: "1", count: 64), String(repeating: "2", count: 64))
        var pin = ToolPin(name: "kops", version: "1.31.0", sha256: [.linuxAMD64: old, .darwinARM64: old])
        // The same digest read again changes nothing and keeps the rest.
        #expect(pin.lock([.linuxAMD64: old]) == ([], []))
        #expect(pin.sha256 == [.linuxAMD64: old, .darwinARM64: old])
        // A new platform alone is no sign of another release.
        #expect(pin.lock([.linuxARM64: new]) == ([], []))
        #expect(pin.sha256.count == 3)
        // A changed digest is: the platforms not read now held the earlier release's.
        #expect(pin.lock([.linuxAMD64: new]) == ([.linuxAMD64], [.linuxARM64, .darwinARM64].sorted()))
        #expect(pin.sha256 == [.linuxAMD64: new])
    }

    @Test func resolvesReleasesThroughTheCatalog() {
        let terraform = PinnedTool(ToolPin(name: "terraform", version: "1.11.4", sha256: [.linuxAMD64: digest]))
        #expect(
            terraform.release(for: .linuxAMD64)
                == ToolRelease(
                    url: "https://releases.hashicorp.com/terraform/1.11.4/terraform_1.11.4_linux_amd64.zip",
                    format: .zip, executable: "terraform", sha256: digest,
                    checksumsURL: "https://releases.hashicorp.com/terraform/1.11.4/terraform_1.11.4_SHA256SUMS"))
        #expect(terraform.lockedPlatforms == [.linuxAMD64])
        #expect(terraform.versionArguments == ["version"])

        let helm = PinnedTool(name: "helm", version: "3.16.3").release(for: .darwinARM64)
        #expect(helm?.url == "https://get.helm.sh/helm-v3.16.3-darwin-arm64.tar.gz")
        #expect(helm?.format == .tarGzip)
        #expect(helm?.executable == "darwin-arm64/helm")

        let aws = PinnedTool(name: "aws", version: "2.17.0")
        #expect(aws.platforms == [.linuxAMD64, .linuxARM64])
        #expect(
            aws.release(for: .linuxARM64)?.url == "https://awscli.amazonaws.com/awscli-exe-linux-aarch64-2.17.0.zip")
        #expect(aws.release(for: .linuxARM64)?.executable == "aws/dist/aws")
        #expect(aws.release(for: .linuxARM64)?.checksumsURL == nil)

        let kops = PinnedTool(name: "kops", version: "1.31.0").release(for: .linuxAMD64)
        #expect(kops?.format == .binary)
        #expect(kops?.executable == "kops")
        #expect(kops?.assetName == "kops-linux-amd64")

        // A declared tool takes nothing from the catalog, even when it shares a name with one.
        let mine = PinnedTool(
            ToolPin(
                name: "terraform", version: "1.11.4", url: "https://mirror.example/tf-{version}-{os}-{arch}.tgz",
                replacements: ["amd64": "x64"]))
        #expect(mine.release(for: .linuxAMD64)?.url == "https://mirror.example/tf-1.11.4-linux-x64.tgz")
        #expect(mine.release(for: .linuxAMD64)?.checksumsURL == nil)
        #expect(mine.release(for: .linuxAMD64)?.executable == "terraform")
        #expect(mine.platforms == ToolPlatform.all)
    }

    @Test(arguments: [
        ("Terraform v1.11.4\non linux_amd64", "1.11.4", true),
        ("Client Version: v1.31.0\nKustomize Version: v5.4.2", "1.31.0", true),
        ("{\"kubeone\": {\"gitVersion\": \"1.9.2\"}}", "1.9.2", true),
        ("aws-cli/2.17.0 Python/3.11.8 Linux/6.1", "2.17.0", true),
        ("v3.16.3+gcfd0749", "3.16.3", true),
        ("1.9-rc1", "1.9", true),
        ("version 1.9.", "1.9", true),
        ("Terraform v1.11.40", "1.11.4", false),
        ("Terraform v1.11.4.1", "1.11.4", false),
        ("kops 1.9.2", "1.9", false),
        ("kops 11.9", "1.9", false),
        ("kops 2.1.9", "1.9", false),
        ("", "1.9", false),
    ])
    func matchesWholeVersionsOnly(output: String, version: String, expected: Bool) {
        #expect(VersionMatch.contains(output, version: version) == expected)
    }

    @Test func readsDigestsOutOfEveryChecksumFileShape() {
        let list = """
            \(digest)  terraform_1.11.4_linux_amd64.zip
            \(other) *terraform_1.11.4_darwin_arm64.zip
            \(digest.uppercased())  ./dist/flux_2.4.0_linux_amd64.tar.gz

            """
        #expect(ChecksumFile.digest(for: "terraform_1.11.4_darwin_arm64.zip", in: list) == other)
        #expect(ChecksumFile.digest(for: "flux_2.4.0_linux_amd64.tar.gz", in: list) == digest)
        #expect(ChecksumFile.digest(for: "terraform_1.11.4_linux_arm64.zip", in: list) == nil)
        #expect(ChecksumFile.digest(for: "kubectl", in: "\(digest)\n") == digest)
        #expect(
            ChecksumFile.digest(for: "helm-v3.16.3-linux-amd64.tar.gz", in: "\(other)  helm-v3.16.3-linux-amd64.tar.gz")
                == other)
        #expect(ChecksumFile.digest(for: "kubectl", in: "<html>not found</html>") == nil)
    }

    @Test func mirrorsKeepTheUpstreamHostAsTheFirstSegment() {
        let url = "https://releases.hashicorp.com/terraform/1.11.4/terraform_1.11.4_linux_amd64.zip"
        #expect(ToolMirror.url(url, mirror: nil) == url)
        #expect(
            ToolMirror.url(url, mirror: "http://127.0.0.1:8080/tools/")
                == "http://127.0.0.1:8080/tools/releases.hashicorp.com/terraform/1.11.4/terraform_1.11.4_linux_amd64.zip"
        )
    }

    @Test func aVersionBumpChangesTheFingerprintOfExactlyTheJobsThatRunTheTool() throws {
        func fingerprints(_ version: String, digest tfDigest: String) throws -> [String: String] {
            let pipeline = try #require(
                SpecValidator.pipeline(
                    text: """
                        version: 1
                        tools:
                          terraform: { version: \(version), sha256: { linux-amd64: \(tfDigest) } }
                          kubeone: 1.9.2
                        jobs:
                          plan: { run: "terraform plan", paths: ["x"] }
                          cluster: { run: "kubeone apply", paths: ["x"] }
                          echo: { run: "echo terraform", paths: ["x"] }
                        """
                ).pipeline)
            return Dictionary(uniqueKeysWithValues: pipeline.instances.map { ($0.id, $0.fingerprint) })
        }
        let before = try fingerprints("1.11.4", digest: digest)
        let bumped = try fingerprints("1.11.5", digest: digest)
        let relocked = try fingerprints("1.11.4", digest: other)
        #expect(before.keys.filter { before[$0] != bumped[$0] } == ["plan"])
        // A digest is how the release is verified, not what the job does.
        #expect(before == relocked)
    }
}

struct ToolsSectionEditorTests {
    @Test func rewritesOnlyTheToolsAndKeepsTheirComments() throws {
        let text = """
            version: 1
            name: demo
            # The tools
            tools:
              # IaC
              terraform: 1.11.4
              helm: 3.16.3   # charts

            # The jobs
            jobs:
              plan:
                run: terraform plan && helm template x
            """
        var pins = try #require(SpecLoader().load(text: text, file: "slipway.yml").spec?.tools)
        pins[0].sha256 = [.linuxARM64: other, .linuxAMD64: digest]
        let rewritten = try ToolsSectionEditor.rewrite(text, with: pins)
        #expect(
            rewritten == """
                version: 1
                name: demo
                # The tools
                tools:
                  # IaC
                  terraform:
                    version: 1.11.4
                    sha256:
                      linux-amd64: \(digest)
                      linux-arm64: \(other)
                  helm: 3.16.3   # charts

                # The jobs
                jobs:
                  plan:
                    run: terraform plan && helm template x
                """)
    }

    @Test func movesTheCommentsOfARewrittenToolAboveItAndKeepsWindowsLineEndings() throws {
        let text =
            "version: 1\r\ntools:\r\n  terraform: 1.11.4  # IaC\r\n\r\n  # charts\r\n  helm: 3.16.3\r\njobs: {}\r\n"
        var pins = try #require(SpecLoader().load(text: text, file: "slipway.yml").spec?.tools)
        pins[0].sha256 = [.linuxAMD64: digest]
        let rewritten = try ToolsSectionEditor.rewrite(text, with: pins)
        #expect(
            rewritten
                == "version: 1\r\ntools:\r\n  # IaC\r\n  terraform:\r\n    version: 1.11.4\r\n    sha256:\r\n"
                + "      linux-amd64: \(digest)\r\n\r\n  # charts\r\n  helm: 3.16.3\r\njobs: {}\r\n")
    }

    @Test func turnsAFlowSectionIntoBlocksAndKeepsTheLongFormsKeys() throws {
        let text = """
            version: 1
            tools: { yq: { version: 4.44.3, url: "https://example.com/yq-{version}-{os}-{arch}", versionArgs: [--version] } }
            jobs: { lint: { run: yq ., paths: [x] } }

            """
        var pins = try #require(SpecLoader().load(text: text, file: "slipway.yml").spec?.tools)
        pins[0].sha256 = [.darwinARM64: digest]
        let rewritten = try ToolsSectionEditor.rewrite(text, with: pins)
        #expect(
            rewritten == """
                version: 1
                tools:
                  yq:
                    version: 4.44.3
                    url: https://example.com/yq-{version}-{os}-{arch}
                    versionArgs: "--version"
                    sha256:
                      darwin-arm64: \(digest)
                jobs: { lint: { run: yq ., paths: [x] } }

                """)
    }

    @Test func refusesAFileWithoutATopLevelToolsSection() {
        #expect(throws: ToolsSectionEditor.Failure.noToolsSection) {
            try ToolsSectionEditor.rewrite("version: 1\njobs: {}\n", with: [])
        }
        #expect(throws: ToolsSectionEditor.Failure.noToolsSection) {
            try ToolsSectionEditor.rewrite("{version: 1, tools: {terraform: 1.11.4}}\n", with: [])
        }
    }

    @Test func quotesWhatYAMLWouldReadAsSomethingElse() {
        #expect(ToolsSectionEditor.scalar("1.11.4") == "1.11.4")
        #expect(ToolsSectionEditor.scalar("https://x.example/{version}") == "https://x.example/{version}")
        #expect(ToolsSectionEditor.scalar("yes") == "\"yes\"")
        #expect(ToolsSectionEditor.scalar("1e10") == "\"1e10\"")
        #expect(ToolsSectionEditor.scalar("--version") == "\"--version\"")
        #expect(ToolsSectionEditor.scalar("a: b") == "\"a: b\"")
    }
}
