import Foundation
import SlipwayCore
import SlipwayTesting
import Testing

/// The repository root, for fixtures.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The pipeline of a rendered repository's `slipway.yml`, and the diagnostics it got.
func pipeline(of files: [GeneratedFile]) throws -> (Pipeline, [Diagnostic]) {
    let spec = try #require(files.first { $0.path == "slipway.yml" })
    let result = SpecValidator.pipeline(text: spec.contents)
    return (try #require(result.pipeline, "\(result.diagnostics)"), result.diagnostics)
}

/// Runs a program from `PATH` in `directory` with `environment` added.
func run(
    _ program: String, _ arguments: [String], in directory: String, environment: [String: String?] = [:]
) async throws -> CommandResult {
    try await SlipwayBinary(path: "/usr/bin/env").run([program] + arguments, in: directory, environment: environment)
}
