import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayGenerators

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write native CI configuration from slipway.yml.",
        discussion: """
            Writes .github/workflows/slipway.yml (GitHub Actions), .gitlab-ci.yml (GitLab
            CI) and bitbucket-pipelines.yml (Bitbucket Pipelines), relative to the
            repository root (the spec's directory unless --output-dir says otherwise), for
            the platforms the spec lists or those named with --platform. Every platform
            selects exactly the jobs `slipway plan` selects; what a platform cannot
            express exactly is refused with a located error (exit 2). Output is
            deterministic; unchanged files are not touched. With --check nothing is
            written: it prints a unified diff and exits 1 when a file is out of date, and
            exits 0 when everything is current (run it in CI).

            Examples:
              slipway generate
              slipway generate --platform github --platform gitlab
              slipway generate --check            # in CI: fail when someone forgot to regenerate
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(
        name: .customLong("platform"), help: "A platform to generate for (repeatable): github, gitlab or bitbucket.")
    var platforms: [Platform] = []

    @Option(name: .customLong("output-dir"), help: ArgumentHelp("The repository root to write into.", valueName: "dir"))
    var outputDirectory: String?

    @Flag(help: "Write nothing; exit 1 with a diff when a generated file is out of date.")
    var check = false

    func run() throws {
        let session = SpecSession(options: options)
        let (pipeline, _) = try session.pipeline(showWarnings: false)
        let targets = platforms.isEmpty ? pipeline.spec.platforms : platforms
        guard !targets.isEmpty else {
            throw session.fail(
                "no platform to generate for",
                notes: ["add 'platforms: [github]' to \(options.spec), or pass --platform github"])
        }
        var files: [GeneratedFile] = []
        var problems: [Diagnostic] = []
        for platform in targets {
            do {
                files += try Generators.generate(platform, pipeline)
            } catch {
                problems += error.diagnostics
            }
        }
        if !problems.isEmpty {
            session.printDiagnostics(problems.sortedByLocation())
            throw ExitStatus.usage
        }
        let writer = FileWriter(root: outputDirectory ?? options.specDirectory)
        if check {
            let differences = writer.differences(files)
            if differences.isEmpty {
                session.terminal.write(
                    "\(files.count) generated file\(files.count == 1 ? " is" : "s are") up to date.\n")
                return
            }
            for difference in differences { session.terminal.write(difference.diff) }
            throw session.fail(
                "\(differences.map(\.path).joined(separator: ", ")) \(differences.count == 1 ? "is" : "are") out of date with \(options.spec)",
                notes: ["run `slipway generate` and commit the result"], status: ExitStatus.failed)
        }
        for (path, outcome) in try writer.write(files) {
            session.terminal.write(
                "\(outcome == .unchanged ? "unchanged" : outcome == .created ? "created  " : "updated  ") \(path)\n")
        }
    }
}

extension Platform: ExpressibleByArgument {}
