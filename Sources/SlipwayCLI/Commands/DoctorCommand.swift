import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayRunner

/// `slipway doctor`: whether the pinned tools are here, at the pinned versions.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check that every pinned tool is installed at its pinned version, and show which jobs run what.",
        discussion: """
            Looks each tool up as `slipway run` does: in .slipway/tools first, then on
            PATH, and asks it for its version. Lists, for each job, the pinned tools
            its script runs and any other command it runs that is not on PATH. Exits 1
            when a pinned tool is missing or at another version.

            Examples:
              slipway doctor
              slipway doctor --install
              slipway doctor --format json
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Install what is missing or at another version into .slipway/tools (as `slipway tools install`).")
    var install = false

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() async throws {
        let session = SpecSession(options: options)
        let (pipeline, _) = try session.pipeline(showWarnings: false)
        let root = URL(fileURLWithPath: options.specDirectory).standardizedFileURL.path
        let cache = ToolCache(state: StateDirectory(root: root))
        let base = ProcessInfo.processInfo.environment["PATH"]

        var states = await check(pipeline.tools, cache: cache, base: base)
        if install {
            let wanted = pipeline.tools.filter { states[$0]?.isOK != true }
            if !wanted.isEmpty {
                // With --format json, standard output carries the document alone.
                _ = await ToolSelection.install(
                    wanted, options: options, session: session, progressOnStandardError: format == .json)
                states = await check(pipeline.tools, cache: cache, base: base)
            }
        }
        let path = cache.path(for: pipeline.tools, before: base)
        let missingCommands = Dictionary(
            uniqueKeysWithValues: pipeline.instances.map { instance in
                let pinned = Set(instance.tools.map(\.name))
                let absent = instance.commands.filter {
                    !pinned.contains($0) && !Self.builtins.contains($0) && ProcessRunner.locate($0, path: path) == nil
                }
                return (instance.id, absent)
            })

        switch format {
        case .text:
            render(
                pipeline, states: states, missingCommands: missingCommands, cache: cache, root: root, session: session)
        case .json:
            let document = DoctorDocument(
                pipeline: pipeline, states: states, missingCommands: missingCommands, cache: cache)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            session.terminal.write(String(decoding: try encoder.encode(document), as: UTF8.self) + "\n")
        }

        let problems = pipeline.tools.filter { states[$0]?.isOK != true }
        if !problems.isEmpty {
            if format == .text {
                let unlocked = problems.filter { $0.release(for: cache.platform)?.sha256 == nil }
                var notes = [
                    install
                        ? "the installs above say what went wrong"
                        : "`slipway doctor --install` downloads the pinned versions, verifies their SHA-256 and installs them into .slipway/tools, which `slipway run` uses first"
                ]
                if !unlocked.isEmpty {
                    notes.append(
                        "\(unlocked.map(\.name).joined(separator: ", ")) first need\(unlocked.count == 1 ? "s" : "") a digest for \(cache.platform.key): `slipway tools lock`"
                    )
                }
                session.printError(
                    "\(problems.count) of \(pipeline.tools.count) pinned tool\(pipeline.tools.count == 1 ? " is" : "s are") missing or at another version",
                    notes: notes)
            }
            throw ExitStatus.failed
        }
    }

    private func check(_ tools: [PinnedTool], cache: ToolCache, base: String?) async -> [PinnedTool: ToolState] {
        let checker = ToolCheck(path: cache.path(for: tools, before: base))
        var states: [PinnedTool: ToolState] = [:]
        for tool in tools { states[tool] = await checker.state(of: tool) }
        return states
    }

    private func render(
        _ pipeline: Pipeline, states: [PinnedTool: ToolState], missingCommands: [String: [String]], cache: ToolCache,
        root: String, session: SpecSession
    ) {
        let out = session.terminal.out
        var text = "Pinned tools (looked up in .slipway/tools, then on PATH):\n"
        let width = pipeline.tools.map { "\($0.name) \($0.version)".count }.max() ?? 0
        func shown(_ path: String) -> String { ToolWords.shown(path, root: root) }
        for tool in pipeline.tools {
            let name = "\(tool.name) \(tool.version)".padding(toLength: width, withPad: " ", startingAt: 0)
            let state = states[tool] ?? .missing
            switch state {
            case .ok(let path):
                text += "  \(out.success("ok     ")) \(name)  \(shown(path))\n"
            case .missing:
                text += "  \(out.error("missing")) \(name)  not installed\n"
            case .wrongVersion(let path, let printed):
                text += "  \(out.error("wrong  ")) \(name)  \(shown(path)) printed: \(printed)\n"
            case .broken(let path, let reason):
                text += "  \(out.error("broken ")) \(name)  \(shown(path)) could not be started: \(reason)\n"
            }
        }
        text += "\nJobs and the pinned tools they run:\n"
        let idWidth = pipeline.instances.map(\.id.count).max() ?? 0
        for instance in pipeline.instances {
            let tools = instance.tools.map(\.name)
            var line = "  \(instance.id.padding(toLength: idWidth, withPad: " ", startingAt: 0))  "
            line += tools.isEmpty ? out.dim("none") : tools.joined(separator: ", ")
            if instance.image != nil { line += out.dim("  (CI runs it in \(instance.image ?? ""))") }
            if let absent = missingCommands[instance.id], !absent.isEmpty {
                line += "  " + out.warning("not on PATH and not pinned: \(absent.joined(separator: ", "))")
            }
            text += line + "\n"
        }
        session.terminal.write(text)
    }

    /// Bash builtins and keywords, which need nothing on PATH.
    static let builtins: Set<String> = [
        ".", ":", "[", "[[", "alias", "bg", "bind", "break", "builtin", "caller", "cd", "command", "compgen",
        "complete", "continue", "declare", "dirs", "disown", "echo", "enable", "eval", "exec", "exit", "export",
        "false", "fc", "fg", "getopts", "hash", "help", "history", "jobs", "kill", "let", "local", "logout",
        "mapfile", "popd", "printf", "pushd", "pwd", "read", "readarray", "readonly", "return", "set", "shift",
        "shopt", "source", "test", "times", "trap", "true", "type", "typeset", "ulimit", "umask", "unalias", "unset",
        "wait",
    ]
}

/// `slipway doctor --format json`.
private struct DoctorDocument: Encodable {
    struct Tool: Encodable {
        let name: String
        let version: String
        let status: String
        let path: String?
        let printed: String?
        let locked: [String]
    }

    struct Job: Encodable {
        let id: String
        let tools: [String]
        let image: String?
        let missingCommands: [String]
    }

    let platform: String
    let tools: [Tool]
    let jobs: [Job]

    init(pipeline: Pipeline, states: [PinnedTool: ToolState], missingCommands: [String: [String]], cache: ToolCache) {
        platform = cache.platform.key
        tools = pipeline.tools.map { tool in
            let state = states[tool] ?? .missing
            return Tool(
                name: tool.name, version: tool.version, status: state.status, path: state.path, printed: state.detail,
                locked: tool.lockedPlatforms.map(\.key))
        }
        jobs = pipeline.instances.map {
            Job(id: $0.id, tools: $0.tools.map(\.name), image: $0.image, missingCommands: missingCommands[$0.id] ?? [])
        }
    }
}
