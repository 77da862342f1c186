import Foundation
import SlipwayCore

/// A pinned tool that a run's jobs run but this machine lacks, or has at another version.
public struct ToolProblem: Sendable, Hashable {
    /// The tool and the version `slipway.yml` pins.
    public var tool: PinnedTool
    /// The instances that run it, in the order given.
    public var jobs: [String]
    /// The first line the tool printed when asked for its version, or `nil` when it is not on
    /// `PATH`.
    public var found: String?

    /// Creates a problem.
    public init(tool: PinnedTool, jobs: [String], found: String?) {
        self.tool = tool
        self.jobs = jobs
        self.found = found
    }
}

/// Checks, before a run starts, that every pinned tool its jobs run is on `PATH` at the pinned
/// version: the check each generated CI job makes, made once for the whole run so that a missing
/// tool stops the run before its first change to live infrastructure rather than half way.
public struct ToolCheck: Sendable {
    private let runner: ProcessRunner

    /// Creates a check that runs the tools through `runner`.
    public init(runner: ProcessRunner = ProcessRunner()) {
        self.runner = runner
    }

    /// The problems with the tools that the instances `jobs` run (`JobInstance.tools`), one per
    /// tool, in the order the tools are first met.
    public func problems(for jobs: [String], in pipeline: Pipeline, path: String?) async -> [ToolProblem] {
        var problems: [ToolProblem] = []
        for (tool, users) in Self.tools(of: jobs, in: pipeline) {
            let arguments = tool.versionArguments.split(separator: " ").map(String.init)
            guard let executable = ProcessRunner.locate(tool.name, path: path) else {
                problems.append(ToolProblem(tool: tool, jobs: users, found: nil))
                continue
            }
            let output: ProcessOutput
            do {
                output = try await runner.run(
                    executable, arguments: arguments, workingDirectory: nil, environment: ["PATH": path], input: nil)
            } catch {
                problems.append(
                    ToolProblem(tool: tool, jobs: users, found: "nothing: \(executable) could not start (\(error))"))
                continue
            }
            let printed = String(decoding: output.standardOutput, as: UTF8.self) + output.standardError
            // As in CI: the version must appear in what the tool prints about itself.
            if !printed.contains(tool.version) {
                let first = printed.split(whereSeparator: \.isNewline).first.map(String.init) ?? "nothing"
                problems.append(ToolProblem(tool: tool, jobs: users, found: first))
            }
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
