import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayGenerators
import SlipwayRunner

/// `slipway tools`: the pinned tools' checksums and local installs.
struct ToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools",
        abstract: "Lock the pinned tools' checksums, or install them into .slipway/tools.",
        discussion: """
            Tools are pinned under 'tools' in slipway.yml (docs/tools.md). `slipway
            doctor` says which are in place.

            Examples:
              slipway tools lock
              slipway tools lock kubeone --platform linux-amd64
              slipway tools install
              slipway tools prune
            """,
        subcommands: [ToolsLockCommand.self, ToolsInstallCommand.self, ToolsPruneCommand.self]
    )
}

/// `slipway tools lock`: read each release's SHA-256 into slipway.yml.
struct ToolsLockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Read the pinned tools' SHA-256 digests from their official checksum files into slipway.yml.",
        discussion: """
            For each pinned tool (or each named one) and each platform, reads the
            digest of the release archive from the checksum file the project publishes
            and writes it under the tool's 'sha256' in slipway.yml; the rest of the file
            is left as it is. A project that publishes no checksum file (age, the AWS
            CLI, gcloud, kubermatic-installer) has its archive downloaded and hashed;
            the output says so. Needs the network, or SLIPWAY_TOOL_MIRROR.

            Run it after changing a tool's version, and commit slipway.yml.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(
        name: .customLong("platform"),
        help: ArgumentHelp(
            "Lock only this platform: linux-amd64, linux-arm64, darwin-amd64 or darwin-arm64 (repeatable; default: every platform the tool is published for).",
            valueName: "os-arch"))
    var platforms: [String] = []

    @Argument(help: ArgumentHelp("The tools to lock (default: all pinned tools).", valueName: "tool"))
    var names: [String] = []

    func run() async throws {
        let session = SpecSession(options: options)
        let (pipeline, _) = try session.pipeline(showWarnings: false)
        let chosen = try ToolSelection.tools(names, in: pipeline, session: session)
        var wanted: [ToolPlatform] = []
        for key in platforms {
            guard let platform = ToolPlatform(key: key) else {
                let known = ToolPlatform.all.map(\.key)
                throw session.fail(
                    "unknown platform '\(key)'",
                    notes: (Suggestion.closest(to: key, in: known).map { ["did you mean '\($0)'?"] } ?? [])
                        + ["platforms are \(known.joined(separator: ", "))"])
            }
            wanted.append(platform)
        }
        let root = URL(fileURLWithPath: options.specDirectory).standardizedFileURL.path
        let state = StateDirectory(root: root)
        do { try state.prepare() } catch { throw session.fail("cannot create \(state.path): \(error)") }
        let environment = ProcessInfo.processInfo.environment
        let locker = ToolLocker(
            mirror: environment[ToolMirror.variable], path: environment["PATH"], scratch: state.tools)

        var pins = pipeline.spec.tools
        var failures = 0
        let terminal = session.terminal
        for tool in chosen {
            let platforms = (wanted.isEmpty ? tool.platforms : wanted.filter(tool.platforms.contains))
            guard let index = pins.firstIndex(where: { $0.name == tool.name }) else { continue }
            if platforms.isEmpty {
                terminal.printWarning(
                    "\(tool.name) \(tool.version) is not published for \(wanted.map(\.key).joined(separator: ", "))",
                    notes: ["it is published for \(tool.platforms.map(\.key).joined(separator: ", "))"])
                continue
            }
            var read: [ToolPlatform: String] = [:]
            var computedFrom: [String] = []
            var addresses: [String] = []
            for (platform, result) in await locker.digests(for: tool, platforms: platforms) {
                switch result {
                case .success(let digest):
                    read[platform] = digest.sha256
                    addresses.append(digest.source.address)
                    if case .computed(let url) = digest.source { computedFrom.append(url) }
                case .failure(let error):
                    failures += 1
                    terminal.printError("\(platform.key): \(error.message)", notes: error.notes)
                }
            }
            let locked = platforms.filter { read[$0] != nil }.map(\.key)
            let (changed, stale) = pins[index].lock(read)
            if !changed.isEmpty {
                terminal.printWarning(
                    "\(tool.name) \(tool.version): the digests for \(changed.map(\.key).joined(separator: ", ")) differ from those slipway.yml had",
                    notes: [
                        "expected if you changed \(tool.name)'s version; if you did not, the release was replaced upstream: find out why before you commit"
                    ]
                        + (stale.isEmpty
                            ? []
                            : [
                                "removed the digests for \(stale.map(\.key).joined(separator: ", ")), which belong to the earlier release; run `slipway tools lock \(tool.name)` to read them"
                            ]))
            }
            if !locked.isEmpty {
                var source = "from its published checksums"
                if !computedFrom.isEmpty {
                    source =
                        "by hashing the downloads: \(tool.name) publishes no checksum file, so check these digests against the project's signatures"
                } else if let mirror = locker.mirror {
                    source += " fetched through \(mirror)"
                }
                terminal.write(
                    "\(terminal.out.success("locked")) \(tool.name) \(tool.version) for \(locked.joined(separator: ", ")) \(source)\n"
                )
                if let plain = addresses.first(where: { $0.lowercased().hasPrefix("http://") }) {
                    terminal.printWarning(
                        "\(tool.name)'s digests were read over plain http from \(plain)",
                        notes: [
                            "anyone between you and that server could have changed them; compare them with the project's release page over https before you commit"
                        ])
                }
            }
        }

        let text: String
        do {
            text = try DiskFileReader().readText(at: options.spec)
        } catch {
            throw session.fail("cannot read \(options.spec): \(error)")
        }
        if SpecLoader().load(text: text, file: options.spec).spec?.tools != pipeline.spec.tools {
            throw session.fail(
                "\(options.spec) changed while the digests were read",
                notes: ["nothing was written; run `slipway tools lock` again"])
        }
        let updated: String
        do {
            updated = try ToolsSectionEditor.rewrite(text, with: pins)
        } catch .noToolsSection {
            throw session.fail(
                "cannot find a block-style 'tools:' section at the top level of \(options.spec)",
                notes: ["nothing was written; write 'tools:' at the start of a line, with one tool per line below it"])
        } catch {
            throw session.fail(
                "rewriting 'tools:' in \(options.spec) would change more than the digests",
                notes: ["nothing was written; please report this with the tools section of your slipway.yml"])
        }
        if updated != text {
            let file = GeneratedFile(path: URL(fileURLWithPath: options.spec).lastPathComponent, contents: updated)
            do {
                _ = try FileWriter(root: options.specDirectory).write([file])
            } catch {
                throw session.fail("cannot write \(options.spec): \(error)")
            }
            terminal.write("Wrote the digests to \(options.spec); commit it.\n")
        } else if failures == 0 {
            terminal.write("\(options.spec) already has these digests.\n")
        }
        if failures > 0 {
            throw session.fail(
                "\(failures) digest\(failures == 1 ? "" : "s") could not be read",
                notes: ["the others were written; fix what is said above and run it again"], status: ExitStatus.failed)
        }
    }
}

/// `slipway tools install`: put the pinned tools into `.slipway/tools`.
struct ToolsInstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Download the pinned tools, verify their SHA-256 and install them into .slipway/tools.",
        discussion: """
            `slipway run` and `slipway doctor` look tools up in .slipway/tools first, as
            CI does. A download whose SHA-256 differs from slipway.yml's installs
            nothing. SLIPWAY_TOOL_MIRROR=URL fetches through a mirror that keeps the
            upstream host as the first path segment.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The tools to install (default: all pinned tools).", valueName: "tool"))
    var names: [String] = []

    func run() async throws {
        let session = SpecSession(options: options)
        let (pipeline, _) = try session.pipeline(showWarnings: false)
        let chosen = try ToolSelection.tools(names, in: pipeline, session: session)
        let failures = await ToolSelection.install(chosen, options: options, session: session)
        if failures > 0 {
            throw session.fail(
                "\(failures) of \(chosen.count) tool\(chosen.count == 1 ? " was" : "s were") not installed",
                status: ExitStatus.failed)
        }
    }
}

/// `slipway tools prune`: remove what `.slipway/tools` holds that slipway.yml no longer pins.
struct ToolsPruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove the releases and downloads in .slipway/tools that slipway.yml does not pin.",
        discussion: """
            Installs keep every release they fetched, so switching branches does not
            download again; prune frees the space once old versions are gone for good.
            A later `slipway tools install` fetches again what a branch still pins.
            """
    )

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let session = SpecSession(options: options)
        let (pipeline, _) = try session.pipeline(showWarnings: false)
        let root = URL(fileURLWithPath: options.specDirectory).standardizedFileURL.path
        let cache = ToolCache(state: StateDirectory(root: root))
        let removed: [String]
        do {
            removed = try cache.prune(keeping: pipeline.tools)
        } catch {
            throw session.fail(
                "cannot prune \(ToolWords.shown(cache.root, root: root)): \(error.localizedDescription)",
                notes: ["what was removed before this is gone; the pinned releases are untouched"],
                status: ExitStatus.failed)
        }
        let terminal = session.terminal
        for path in removed { terminal.write("removed \(ToolCacheLayout.root)/\(path)\n") }
        terminal.write(
            removed.isEmpty
                ? "\(ToolCacheLayout.root) holds only what slipway.yml pins.\n"
                : "Removed \(removed.count) item\(removed.count == 1 ? "" : "s") slipway.yml no longer pins.\n")
    }
}

/// Choosing and installing pinned tools, for `tools` and `doctor`.
enum ToolSelection {
    /// The pinned tools named (all when `names` is empty), or exit 2 for a name not pinned.
    static func tools(_ names: [String], in pipeline: Pipeline, session: SpecSession) throws -> [PinnedTool] {
        if pipeline.tools.isEmpty {
            throw session.fail(
                "\(session.options.spec) pins no tools",
                notes: ["add them under 'tools', for example 'tools: { terraform: 1.11.4 }' (docs/tools.md)"])
        }
        guard !names.isEmpty else { return pipeline.tools }
        let pinned = pipeline.tools.map(\.name)
        for name in names where !pinned.contains(name) {
            throw session.fail(
                "'\(name)' is not pinned in \(session.options.spec)",
                notes: Suggestion.closest(to: name, in: pinned).map { ["did you mean '\($0)'?"] }
                    ?? ["pinned: \(pinned.joined(separator: ", "))"])
        }
        return pipeline.tools.filter { names.contains($0.name) }
    }

    /// Installs `tools` into the cache, printing each outcome (to standard error with
    /// `progressOnStandardError`); returns how many failed.
    static func install(
        _ tools: [PinnedTool], options: GlobalOptions, session: SpecSession, progressOnStandardError: Bool = false
    ) async -> Int {
        let root = URL(fileURLWithPath: options.specDirectory).standardizedFileURL.path
        let state = StateDirectory(root: root)
        try? state.prepare()
        let environment = ProcessInfo.processInfo.environment
        let installer = ToolInstaller(
            cache: ToolCache(state: state), mirror: environment[ToolMirror.variable], path: environment["PATH"])
        let terminal = session.terminal
        let palette = progressOnStandardError ? terminal.err : terminal.out
        func say(_ text: String) {
            if progressOnStandardError { terminal.writeError(text) } else { terminal.write(text) }
        }
        var failures = 0
        for tool in tools {
            do {
                switch try await installer.install(tool) {
                case .cached:
                    say("\(palette.success("ok")) \(tool.name) \(tool.version) is in the cache\n")
                case .installed(let bin):
                    say(
                        "\(palette.success("installed")) \(tool.name) \(tool.version) in \(ToolWords.shown(bin, root: root)), verified by SHA-256\n"
                    )
                }
            } catch {
                failures += 1
                terminal.printError(error.message, notes: error.notes)
            }
        }
        return failures
    }
}
