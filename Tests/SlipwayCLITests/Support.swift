import Foundation
import SlipwayTesting
import Testing

/// The repository root, for examples and fixtures.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

let slipway = SlipwayBinary()

/// Finds a validator the test script installs; a missing one fails the test with the fix.
func requireTool(_ name: String) throws -> String {
    let directories =
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        + [NSHomeDirectory() + "/.local/bin"]
    for directory in directories {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    Issue.record("\(name) is not installed; scripts/test.sh installs everything the tests need")
    throw ToolMissing(name: name)
}

struct ToolMissing: Error {
    let name: String
}

/// Fails the test with the snapshot difference, if any.
func expectSnapshot(_ actual: String, fixture: String, name: String, sourceLocation: SourceLocation = #_sourceLocation)
{
    if let difference = Snapshot.compare(actual, fixture: fixture, name: name) {
        Issue.record(Comment(rawValue: difference), sourceLocation: sourceLocation)
    }
}

/// Decodes `slipway plan --format json` output.
struct PlanJSON: Decodable, Equatable {
    struct Selected: Decodable, Equatable {
        let id: String
        let reasons: [String]
        let fingerprint: String
    }

    struct Skipped: Decodable, Equatable {
        let id: String
        let reason: String
    }

    let event: String
    let base: String?
    let head: String?
    let changed: [String]
    let selected: [Selected]
    let skipped: [Skipped]

    init(_ result: CommandResult) throws {
        self = try JSONDecoder().decode(PlanJSON.self, from: Data(result.standardOutput.utf8))
    }
}

/// Runs a program from `PATH` in `directory`.
func sh(
    _ program: String, _ arguments: [String], in directory: String, environment: [String: String?] = [:]
) async throws -> CommandResult {
    try await SlipwayBinary(path: "/usr/bin/env").run([program] + arguments, in: directory, environment: environment)
}

/// Runs a program and requires it to succeed; returns what it printed.
@discardableResult
func must(
    _ program: String, _ arguments: [String], in directory: String, environment: [String: String?] = [:]
) async throws -> String {
    let result = try await sh(program, arguments, in: directory, environment: environment)
    try #require(result.status == 0, "\(program) \(arguments): \(result.standardOutput)\(result.standardError)")
    return result.standardOutput
}

/// A commit identity for git in tests, which must not depend on the machine's configuration.
let gitIdentity: [String: String?] = [
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com", "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
]
