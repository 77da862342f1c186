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

/// Compares the files a bundle writes with the golden files of `fixture`, leaving out what a golden
/// would only repeat: a file copied verbatim from the bundle's resources (`resources`, below
/// `Sources/SlipwayBundles/Resources/`), and a file rendered exactly as in one of `references`
/// (the variants before this one, whose goldens hold it).
///
/// A golden file kept for a file left out is reported (and removed with `RECORD_SNAPSHOTS=1`), so
/// none goes stale; a file that starts to differ from the reference needs a golden of its own.
func expectGoldenFiles(
    _ files: [GeneratedFile], fixture: String, resources: String, references: [[GeneratedFile]] = [],
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    let resourceRoot = "\(repositoryRoot)/Sources/SlipwayBundles/Resources/\(resources)"
    let referenced = Set(references.joined().map { "\($0.path)\u{0}\($0.contents)" })
    for file in files {
        let copied = FileManager.default.contents(atPath: "\(resourceRoot)/\(file.path)") == Data(file.contents.utf8)
        if copied || referenced.contains("\(file.path)\u{0}\(file.contents)") {
            let stale = Snapshot.path(fixture, file.path)
            guard FileManager.default.fileExists(atPath: stale) else { continue }
            if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
                try? FileManager.default.removeItem(atPath: stale)
            } else {
                Issue.record(
                    "\(stale) repeats \(copied ? "a resource copied as it is" : "an earlier variant's file"); delete it",
                    sourceLocation: sourceLocation)
            }
            continue
        }
        if let difference = Snapshot.compare(file.contents, fixture: fixture, name: file.path) {
            Issue.record(Comment(rawValue: difference), sourceLocation: sourceLocation)
        }
    }
}
