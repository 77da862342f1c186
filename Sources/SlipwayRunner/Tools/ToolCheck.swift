import Foundation
import SlipwayCore

/// What this machine has of a pinned tool.
public enum ToolState: Sendable, Hashable {
    /// On `PATH` at the pinned version, at this path.
    case ok(path: String)
    /// Not on `PATH`.
    case missing
    /// On `PATH` at this path, but it printed another version (its first line here).
    case wrongVersion(path: String, printed: String)
    /// On `PATH` at this path, but it could not be started.
    case broken(path: String, reason: String)

    /// Whether a job may run it.
    public var isOK: Bool {
        if case .ok = self { return true }
        return false
    }

    /// The state's name in machine-readable output: `ok`, `missing`, `wrong-version` or `broken`.
    public var status: String {
        switch self {
        case .ok: return "ok"
        case .missing: return "missing"
        case .wrongVersion: return "wrong-version"
        case .broken: return "broken"
        }
    }

    /// Where the tool was found, if it was.
    public var path: String? {
        switch self {
        case .ok(let path), .wrongVersion(let path, _), .broken(let path, _): return path
        case .missing: return nil
        }
    }

    /// What the tool printed instead of its version, or why it could not be started.
    public var detail: String? {
        switch self {
        case .wrongVersion(_, let detail), .broken(_, let detail): return detail
        case .ok, .missing: return nil
        }
    }
}

/// A pinned tool that a run's jobs run but this machine lacks, or has at another version.
public struct ToolProblem: Sendable, Hashable {
    /// The tool and the version `slipway.yml` pins.
    public var tool: PinnedTool
    /// The instances that run it, in the order given.
    public var jobs: [String]
    /// What this machine has of it.
    public var state: ToolState

    /// Creates a problem.
    public init(tool: PinnedTool, jobs: [String], state: ToolState) {
        self.tool = tool
        self.jobs = jobs
        self.state = state
    }
}

/// Checks that pinned tools are on `PATH` at the pinned version: the check each generated CI job
/// makes, made by `slipway run` once for the whole run (so a missing tool stops the run before
/// its first change to live infrastructure rather than half way) and by `slipway doctor`.
public struct ToolCheck: Sendable {
    private let runner: ProcessRunner
    private let path: String?

    /// Creates a check that looks tools up on `path` and runs them through `runner`.
    public init(path: String?, runner: ProcessRunner = ProcessRunner()) {
        self.path = path
        self.runner = runner
    }

    /// What this machine has of `tool`: it is looked up on `PATH` and asked for its version, and
    /// the pinned version must be in what it prints (`PinnedTool.reportsPinnedVersion(in:)`).
    public func state(of tool: PinnedTool) async -> ToolState {
        guard let executable = ProcessRunner.locate(tool.name, path: path) else { return .missing }
        let output: ProcessOutput
        do {
            output = try await runner.run(
                executable, arguments: tool.versionArguments, workingDirectory: nil,
                environment: path.map { ["PATH": $0] }, input: nil)
        } catch {
            return .broken(path: executable, reason: "\(error)")
        }
        let printed = String(decoding: output.standardOutput, as: UTF8.self) + output.standardError
        if tool.reportsPinnedVersion(in: printed) { return .ok(path: executable) }
        let first = printed.split(whereSeparator: \.isNewline).first.map(String.init) ?? "nothing"
        return .wrongVersion(path: executable, printed: first)
    }

    /// The problems with the tools that the instances `jobs` run (`JobInstance.tools`), one per
    /// tool, in the order the tools are first met.
    public func problems(for jobs: [String], in pipeline: Pipeline) async -> [ToolProblem] {
        var problems: [ToolProblem] = []
        for (tool, users) in Self.tools(of: jobs, in: pipeline) {
            let state = await state(of: tool)
            if !state.isOK { problems.append(ToolProblem(tool: tool, jobs: users, state: state)) }
        }
        return problems
    }

    /// The pinned tools that the instances `jobs` run (`JobInstance.tools`), each once, in the
    /// order they are first met, with the instances that run them.
    public static func tools(of jobs: [String], in pipeline: Pipeline) -> [(tool: PinnedTool, jobs: [String])] {
        var order: [PinnedTool] = []
        var users: [PinnedTool: [String]] = [:]
        for id in jobs {
            for tool in pipeline.instance(id)?.tools ?? [] {
                if users[tool] == nil { order.append(tool) }
                users[tool, default: []].append(id)
            }
        }
        return order.map { ($0, users[$0] ?? []) }
    }
}
