import Foundation
import SlipwayCore
import SlipwayTesting
import Testing

/// `slipway tools lock`, `tools install` and `doctor` against real archives and checksum files on
/// a loopback server laid out like the projects' release hosts.
@Suite struct ToolsCommandTests {
    static let terraformZip = "releases.hashicorp.com/terraform/1.11.4/terraform_1.11.4_linux_amd64.zip"
    static let helmArchive = "get.helm.sh/helm-v3.16.3-linux-amd64.tar.gz"
    static let kopsBinary = "github.com/kubernetes/kops/releases/download/v1.31.0/kops-linux-amd64"
    static let ageArchive = "github.com/FiloSottile/age/releases/download/v1.2.0/age-v1.2.0-linux-amd64.tar.gz"

    /// A server with terraform (zip, SHA256SUMS), helm (tar.gz, per-asset .sha256sum), kops (the
    /// executable, digest-only .sha256) and age (tar.gz, no checksum file), each a stand-in that
    /// prints its version the way the real tool does.
    static func releases() async throws -> ReleaseServer {
        let server = try await ReleaseServer(repository: repositoryRoot)
        try server.zip(terraformZip, ["terraform": ReleaseServer.printing("Terraform v1.11.4\non linux_amd64")])
        try server.file(
            "releases.hashicorp.com/terraform/1.11.4/terraform_1.11.4_SHA256SUMS",
            "\(try server.sha256(terraformZip))  terraform_1.11.4_linux_amd64.zip\n"
                + "\(String(repeating: "0", count: 64))  terraform_1.11.4_darwin_arm64.zip\n")
        try server.tarGzip(helmArchive, ["linux-amd64/helm": ReleaseServer.printing("v3.16.3+gcfd0749")])
        try server.file(
            helmArchive + ".sha256sum", "\(try server.sha256(helmArchive))  helm-v3.16.3-linux-amd64.tar.gz\n")
        try server.file(kopsBinary, ReleaseServer.printing("1.31.0"))
        try server.file(kopsBinary + ".sha256", try server.sha256(kopsBinary) + "\n")
        try server.tarGzip(ageArchive, ["age/age": ReleaseServer.printing("v1.2.0"), "age/age-keygen": "#!/bin/sh\n"])
        return server
    }

    static let spec = """
        version: 1
        name: tools
        # Pinned tools.
        tools:
          # Infrastructure
          terraform: 1.11.4
          helm: 3.16.3
          kops: 1.31.0
          age: 1.2.0

        jobs:
          plan:
            paths: ["**"]
            run: terraform version >plan.txt
          chart:
            paths: ["**"]
            run: helm template . && kops version && yamllint .
          secrets:
            paths: ["**"]
            run: age --version
        """

    /// PATH without /usr/local/bin, where this machine's real terraform lives.
    static let systemPath = "/usr/bin:/bin"

    @Test func lockWritesThePublishedDigestsAndNothingElse() async throws {
        let server = try await Self.releases()
        let repository = try TemporaryDirectory()
        defer { repository.remove() }
        try repository.write("slipway.yml", Self.spec)
        let result = try await slipway.run(
            ["tools", "lock", "--platform", "linux-amd64"], in: repository.path,
            environment: [ToolMirror.variable: server.mirror])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(
            result.standardOutput.contains(
                "locked terraform 1.11.4 for linux-amd64 from its published checksums fetched through \(server.mirror)")
        )
        // The loopback mirror speaks plain http, so the digests are only as good as the path to it.
        #expect(
            result.standardError.contains(
                "warning: terraform's digests were read over plain http from \(server.mirror)/releases.hashicorp.com/terraform/1.11.4/terraform_1.11.4_SHA256SUMS"
            ))
        #expect(result.standardOutput.contains("locked age 1.2.0 for linux-amd64 by hashing the downloads"))

        let text = try String(contentsOfFile: "\(repository.path)/slipway.yml", encoding: .utf8)
        let pins = try #require(SpecLoader().load(text: text, file: "slipway.yml").spec?.tools)
        #expect(pins.map(\.name) == ["terraform", "helm", "kops", "age"])
        #expect(pins[0].sha256 == [.linuxAMD64: try server.sha256(Self.terraformZip)])
        #expect(pins[1].sha256 == [.linuxAMD64: try server.sha256(Self.helmArchive)])
        #expect(pins[2].sha256 == [.linuxAMD64: try server.sha256(Self.kopsBinary)])
        #expect(pins[3].sha256 == [.linuxAMD64: try server.sha256(Self.ageArchive)])
        // Everything around the tools section is byte for byte what it was, comments included.
        #expect(text.hasPrefix("version: 1\nname: tools\n# Pinned tools.\ntools:\n  # Infrastructure\n  terraform:\n"))
        #expect(text.hasSuffix("\n\njobs:" + Self.spec.components(separatedBy: "\n\njobs:")[1]))

        // A second lock finds nothing to change.
        let again = try await slipway.run(
            ["tools", "lock", "--platform", "linux-amd64"], in: repository.path,
            environment: [ToolMirror.variable: server.mirror])
        #expect(again.status == 0)
        #expect(again.standardOutput.contains("slipway.yml already has these digests."))
        #expect(try String(contentsOfFile: "\(repository.path)/slipway.yml", encoding: .utf8) == text)

        // A platform the checksum file does not list is an error that names it, and what could be
        // read is still written.
        let darwin = try await slipway.run(
            ["tools", "lock", "helm", "--platform", "darwin-arm64"], in: repository.path,
            environment: [ToolMirror.variable: server.mirror])
        #expect(darwin.status == 1)
        #expect(
            darwin.standardError.contains(
                "error: darwin-arm64: could not download helm from \(server.mirror)/get.helm.sh/helm-v3.16.3-darwin-arm64.tar.gz.sha256sum: The requested URL returned error: 404"
            ))
        await server.stop()
    }

    @Test func aChangedDigestDropsTheDigestsOfThePlatformsNotReadAgain() async throws {
        let server = try await Self.releases()
        let repository = try TemporaryDirectory()
        defer { repository.remove() }
        // Digests of an earlier terraform release, as left behind by a version bump.
        let earlier = (String(repeating: "1", count: 64), String(repeating: "2", count: 64))
        try repository.write(
            "slipway.yml",
            """
            version: 1
            tools:
              terraform: { version: 1.11.4, sha256: { linux-amd64: \(earlier.0), darwin-amd64: \(earlier.1) } }
            jobs:
              plan: { paths: ["**"], run: terraform plan }
            """)
        let result = try await slipway.run(
            ["tools", "lock", "--platform", "linux-amd64"], in: repository.path,
            environment: [ToolMirror.variable: server.mirror])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(
            result.standardError.contains(
                "warning: terraform 1.11.4: the digests for linux-amd64 differ from those slipway.yml had"))
        #expect(
            result.standardError.contains(
                "removed the digests for darwin-amd64, which belong to the earlier release; run `slipway tools lock terraform` to read them"
            ))
        let text = try String(contentsOfFile: "\(repository.path)/slipway.yml", encoding: .utf8)
        let pins = try #require(SpecLoader().load(text: text, file: "slipway.yml").spec?.tools)
        #expect(pins.map(\.sha256) == [[.linuxAMD64: try server.sha256(Self.terraformZip)]])
        await server.stop()
    }

    @Test func installVerifiesCachesAndRunUsesTheCache() async throws {
        let server = try await Self.releases()
        let repository = try TemporaryDirectory()
        defer { repository.remove() }
        try repository.write("slipway.yml", Self.spec)
        let mirror = [ToolMirror.variable: server.mirror]
        _ = try await slipway.run(
            ["tools", "lock", "--platform", "linux-amd64"], in: repository.path, environment: mirror)

        let before = try await slipway.run(["doctor"], in: repository.path, environment: ["PATH": Self.systemPath])
        #expect(before.status == 1)
        #expect(before.standardOutput.contains("missing terraform 1.11.4  not installed"))
        #expect(before.standardError.contains("error: 4 of 4 pinned tools are missing or at another version"))

        let install = try await slipway.run(["tools", "install"], in: repository.path, environment: mirror)
        #expect(install.status == 0, "\(install.standardError)")
        #expect(
            install.standardOutput.contains(
                "installed terraform 1.11.4 in .slipway/tools/terraform/1.11.4/linux-amd64/bin, verified by SHA-256"))
        let release = "\(repository.path)/.slipway/tools/helm/3.16.3/linux-amd64"
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: "\(release)/bin/helm")
                == "../files/linux-amd64/helm")
        #expect(
            try String(contentsOfFile: "\(release)/sha256", encoding: .utf8)
                == "\(try server.sha256(Self.helmArchive))\n")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: "\(repository.path)/.slipway/tools").sorted() == [
                "age", "downloads", "helm", "kops", "terraform",
            ])

        // The cache is used: nothing is downloaded again, even with the server gone.
        let digests = (
            terraform: try server.sha256(Self.terraformZip), kops: try server.sha256(Self.kopsBinary),
            age: try server.sha256(Self.ageArchive), helm: try server.sha256(Self.helmArchive)
        )
        await server.stop()
        let cached = try await slipway.run(["tools", "install"], in: repository.path, environment: mirror)
        #expect(cached.status == 0, "\(cached.standardError)")
        #expect(cached.standardOutput.contains("ok terraform 1.11.4 is in the cache"))

        let doctor = try await slipway.run(["doctor"], in: repository.path, environment: ["PATH": Self.systemPath])
        #expect(doctor.status == 0, "\(doctor.standardError)")
        #expect(
            doctor.standardOutput.contains(
                "ok      terraform 1.11.4  .slipway/tools/terraform/1.11.4/linux-amd64/bin/terraform"))
        #expect(doctor.standardOutput.contains("chart    helm, kops  not on PATH and not pinned: yamllint"))

        let run = try await slipway.run(
            ["run", "--event", "push", "--changed", "x", "--job", "plan"], in: repository.path,
            environment: ["PATH": Self.systemPath])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(
            try String(contentsOfFile: "\(repository.path)/plan.txt", encoding: .utf8)
                == "Terraform v1.11.4\non linux_amd64\n")

        // Once helm and age are no longer pinned, prune removes them, their archives and an
        // abandoned partial install, and keeps what is pinned.
        try repository.write(
            "slipway.yml",
            """
            version: 1
            tools:
              terraform: { version: 1.11.4, sha256: { linux-amd64: \(digests.terraform) } }
              kops: { version: 1.31.0, sha256: { linux-amd64: \(digests.kops) } }
            jobs:
              plan: { paths: ["**"], run: terraform plan && kops version }
            """)
        // An install killed two hours ago left this; one from a minute ago may be running now.
        for (name, age) in [("abandoned", 7200.0), ("running", 60.0)] {
            let path = "\(repository.path)/.slipway/tools/.partial-\(name)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try FileManager.default.setAttributes(
                [.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: path)
        }
        let prune = try await slipway.run(["tools", "prune"], in: repository.path)
        #expect(prune.status == 0, "\(prune.standardError)")
        #expect(
            prune.standardOutput.split(separator: "\n").sorted()
                == [
                    "Removed 5 items slipway.yml no longer pins.",
                    "removed .slipway/tools/.partial-abandoned",
                    "removed .slipway/tools/age",
                    "removed .slipway/tools/downloads/\(digests.age)",
                    "removed .slipway/tools/downloads/\(digests.helm)",
                    "removed .slipway/tools/helm",
                ].sorted())
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: "\(repository.path)/.slipway/tools").sorted() == [
                ".partial-running", "downloads", "kops", "terraform",
            ])
        let doctorAfter = try await slipway.run(
            ["doctor"], in: repository.path, environment: ["PATH": Self.systemPath])
        #expect(doctorAfter.status == 0, "\(doctorAfter.standardError)")
        let again = try await slipway.run(["tools", "prune"], in: repository.path)
        #expect(again.standardOutput == ".slipway/tools holds only what slipway.yml pins.\n")
    }

    @Test func aChecksumMismatchNamesBothDigestsAndInstallsNothing() async throws {
        let server = try await Self.releases()
        let repository = try TemporaryDirectory()
        defer { repository.remove() }
        let pinned = String(repeating: "e", count: 64)
        try repository.write(
            "slipway.yml",
            """
            version: 1
            tools:
              terraform: { version: 1.11.4, sha256: { linux-amd64: \(pinned) } }
            jobs:
              plan: { paths: ["**"], run: terraform plan }
            """)
        let result = try await slipway.run(
            ["tools", "install"], in: repository.path, environment: [ToolMirror.variable: server.mirror])
        #expect(result.status == 1)
        #expect(
            result.standardError.contains(
                "error: terraform from \(server.mirror)/\(Self.terraformZip) is not the release slipway.yml pins: its SHA-256 is \(try server.sha256(Self.terraformZip)), slipway.yml says \(pinned)"
            ))
        #expect(result.standardError.contains("note: nothing was installed"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(repository.path)/.slipway/tools") == [])
        await server.stop()
    }

    @Test func aMissingAssetABrokenOffDownloadAndNoServerEachInstallNothing() async throws {
        let server = try await Self.releases()
        let repository = try TemporaryDirectory()
        defer { repository.remove() }
        try repository.write(
            "slipway.yml",
            """
            version: 1
            tools:
              terraform: { version: 1.11.4, sha256: { linux-amd64: \(try server.sha256(Self.terraformZip)) } }
              kops: { version: 9.9.9, sha256: { linux-amd64: \(String(repeating: "a", count: 64)) } }
            jobs:
              plan: { paths: ["**"], run: terraform plan && kops version }
            """)
        let tools = "\(repository.path)/.slipway/tools"

        let missing = try await slipway.run(
            ["tools", "install", "kops"], in: repository.path, environment: [ToolMirror.variable: server.mirror])
        #expect(missing.status == 1)
        #expect(
            missing.standardError.contains(
                "error: could not download kops from \(server.mirror)/github.com/kubernetes/kops/releases/download/v9.9.9/kops-linux-amd64: The requested URL returned error: 404"
            ))

        let interrupted = try await slipway.run(
            ["tools", "install", "terraform"], in: repository.path,
            environment: [ToolMirror.variable: server.mirror + "/interrupted"])
        #expect(interrupted.status == 1)
        #expect(
            interrupted.standardError.contains("error: could not download terraform from \(server.mirror)/interrupted/")
        )

        let port = server.port
        await server.stop()
        let unreachable = try await slipway.run(
            ["tools", "install", "terraform"], in: repository.path,
            environment: [ToolMirror.variable: "http://127.0.0.1:\(port)"])
        #expect(unreachable.status == 1)
        #expect(
            unreachable.standardError.contains("error: could not download terraform from http://127.0.0.1:\(port)/"))
        #expect(unreachable.standardError.contains("check the network"))

        #expect(try FileManager.default.contentsOfDirectory(atPath: tools) == [])
    }

    @Test func doctorSaysWhatIsMissingOrWrongAndInstallFixesIt() async throws {
        let server = try await Self.releases()
        let repository = try TemporaryDirectory()
        defer { repository.remove() }
        try repository.write(
            "slipway.yml",
            """
            version: 1
            tools:
              terraform: { version: 1.11.4, sha256: { linux-amd64: \(try server.sha256(Self.terraformZip)) } }
              helm: { version: 3.16.3, sha256: { linux-amd64: \(try server.sha256(Self.helmArchive)) } }
              kops: { version: 1.31.0, sha256: { linux-amd64: \(try server.sha256(Self.kopsBinary)) } }
            jobs:
              plan: { paths: ["**"], run: terraform plan }
              chart: { paths: ["**"], run: "helm template . | kubectl apply -f -", image: "alpine/helm:3.16.3" }
            """)
        // Stand-ins on PATH: helm at the pinned version, kops at another, terraform absent.
        try repository.writeExecutable("bin/helm", ReleaseServer.printing("v3.16.3+gcfd0749"))
        try repository.writeExecutable("bin/kops", ReleaseServer.printing("1.30.2"))
        let path = "\(repository.path)/bin:\(Self.systemPath)"

        let doctor = try await slipway.run(["doctor"], in: repository.path, environment: ["PATH": path])
        #expect(doctor.status == 1)
        #expect(doctor.standardOutput.contains("missing terraform 1.11.4  not installed"))
        #expect(doctor.standardOutput.contains("ok      helm 3.16.3       bin/helm\n"))
        #expect(doctor.standardOutput.contains("wrong   kops 1.31.0       bin/kops printed: 1.30.2\n"))
        #expect(doctor.standardOutput.contains("plan   terraform\n"))
        #expect(doctor.standardOutput.contains("chart  helm  (CI runs it in alpine/helm:3.16.3)"))
        #expect(doctor.standardError.contains("error: 2 of 3 pinned tools are missing or at another version"))

        let json = try await slipway.run(
            ["doctor", "--format", "json"], in: repository.path, environment: ["PATH": path])
        struct Document: Decodable {
            struct Tool: Decodable {
                let name: String
                let status: String
            }
            let tools: [Tool]
        }
        let document = try JSONDecoder().decode(Document.self, from: Data(json.standardOutput.utf8))
        #expect(document.tools.map(\.status) == ["missing", "ok", "wrong-version"])

        let fixed = try await slipway.run(
            ["doctor", "--install"], in: repository.path,
            environment: ["PATH": path, ToolMirror.variable: server.mirror])
        #expect(fixed.status == 0, "\(fixed.standardError)")
        #expect(fixed.standardOutput.contains("installed terraform 1.11.4"))
        #expect(fixed.standardOutput.contains("installed kops 1.31.0"))
        // helm was right where it was: nothing to install.
        #expect(!fixed.standardOutput.contains("helm 3.16.3 in"))
        #expect(
            fixed.standardOutput.contains("ok      kops 1.31.0       .slipway/tools/kops/1.31.0/linux-amd64/bin/kops"))
        await server.stop()
    }
}
