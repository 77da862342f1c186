import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayRunner

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show which jobs an event runs, and why.",
        discussion: """
            The change set comes from git, or from you:
              pull_request  merge-base(--base, --head)..--head   (--base defaults to origin/<defaultBranch>)
              push          --before..--after                    (defaults to HEAD^..HEAD; an all-zero
                                                                  or unknown --before means every file)
              manual, schedule                                   (every job that listens runs; paths do not apply)
            --changed and --changed-from bypass git.

            Examples:
              slipway plan --event pull_request --base origin/main
              slipway plan --event push --before "$BEFORE_SHA" --after "$GITHUB_SHA" --format json
              git diff --name-only main | slipway plan --event pull_request --changed-from -
              slipway plan --event pull_request --base main --format markdown >> "$GITHUB_STEP_SUMMARY"
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown
    }

    @OptionGroup var options: GlobalOptions

    @Option(
        help:
            "The event to plan: pull_request, push, manual or schedule (default: pull_request with --base, else push).")
    var event: Event?

    @Option(help: ArgumentHelp("Pull request: the branch merged into.", valueName: "ref"))
    var base: String?

    @Option(help: ArgumentHelp("Pull request: the branch being merged.", valueName: "ref"))
    var head: String?

    @Option(help: ArgumentHelp("Push: the commit before the push.", valueName: "sha"))
    var before: String?

    @Option(help: ArgumentHelp("Push: the commit pushed.", valueName: "sha"))
    var after: String?

    @Option(
        name: .customLong("changed"),
        help: ArgumentHelp("A changed path (repeatable); bypasses git.", valueName: "path"))
    var changed: [String] = []

    @Option(
        name: .customLong("changed-from"),
        help: ArgumentHelp("A file of changed paths, one per line ('-' reads stdin); bypasses git.", valueName: "file"))
    var changedFrom: String?

    @Option(help: "Output format: text, json or markdown.")
    var format: Format = .text

    var resolvedEvent: Event { event ?? (base != nil || head != nil ? .pullRequest : .push) }

    func validate() throws {
        let givenByHand = !changed.isEmpty || changedFrom != nil
        if givenByHand && (base != nil || head != nil || before != nil || after != nil) {
            throw ValidationError("--changed and --changed-from replace git; drop --base, --head, --before and --after")
        }
        switch resolvedEvent {
        case .pullRequest where before != nil || after != nil:
            throw ValidationError("--before and --after describe a push; a pull request uses --base and --head")
        case .push where base != nil || head != nil:
            throw ValidationError(
                "--base and --head describe a pull request; a push uses --before and --after (or pass --event pull_request)"
            )
        case .manual, .schedule:
            if base != nil || head != nil || before != nil || after != nil || givenByHand {
                throw ValidationError(
                    "\(resolvedEvent.rawValue) runs select every job that listens to them; they take no change set")
            }
        default:
            break
        }
    }

    func run() async throws {
        let session = SpecSession(options: options)
        let (pipeline, _) = try session.pipeline(showWarnings: false)
        let changes: ChangeSet
        do {
            changes = try await changeSet(spec: pipeline.spec)
        } catch let error as ChangeSetError {
            throw session.fail(error.message, notes: error.notes)
        } catch let error as ChangedFileError {
            throw session.fail(error.message, notes: ["check the path, or pipe the list in with --changed-from -"])
        }
        let plan = Planner().plan(pipeline, event: resolvedEvent, changes: changes)
        switch format {
        case .text: session.terminal.write(PlanTextRenderer(palette: session.terminal.out).render(plan))
        case .json: session.terminal.write(String(decoding: try plan.jsonData(), as: UTF8.self) + "\n")
        case .markdown: session.terminal.write(plan.markdown())
        }
    }

    private func changeSet(spec: Spec) async throws -> ChangeSet {
        if resolvedEvent == .manual || resolvedEvent == .schedule { return ChangeSet(paths: []) }
        if !changed.isEmpty || changedFrom != nil {
            var paths = changed
            if let changedFrom { paths += try ChangedFiles.read(changedFrom) }
            return ChangeSet(paths: ChangedFiles.normalize(paths))
        }
        let resolver = ChangeSetResolver(runner: ProcessRunner(), directory: options.specDirectory)
        if resolvedEvent == .pullRequest {
            if let base { return try await resolver.pullRequest(base: base, head: head ?? "HEAD") }
            // Without --base, compare with the remote default branch, falling back to the local one.
            let remote = "origin/\(spec.defaultBranch)"
            let hasRemote = try await resolver.commitExists(remote)
            return try await resolver.pullRequest(base: hasRemote ? remote : spec.defaultBranch, head: head ?? "HEAD")
        }
        return try await resolver.push(before: before, after: after)
    }
}

extension Event: ExpressibleByArgument {}

/// A change list that could not be read.
struct ChangedFileError: Error {
    let message: String
}

/// Reads and cleans hand-given change lists.
enum ChangedFiles {
    static func read(_ source: String) throws(ChangedFileError) -> [String] {
        let data: Data
        if source == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: source) else {
                throw ChangedFileError(message: "cannot read the change list '\(source)'")
            }
            data = contents
        }
        // Split raw bytes, not Characters: a change list can hold 100,000 paths.
        return data.withUnsafeBytes { buffer in
            var lines: [String] = []
            var start = 0
            for index in 0..<buffer.count where buffer[index] == UInt8(ascii: "\n") {
                if index > start {
                    lines.append(
                        String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start..<index]), as: UTF8.self))
                }
                start = index + 1
            }
            if buffer.count > start {
                lines.append(String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start...]), as: UTF8.self))
            }
            return lines
        }
    }

    /// Drops blank lines, trailing carriage returns and a leading `./`, so lists from any tool agree with git's.
    static func normalize(_ paths: [String]) -> [String] {
        paths.compactMap { raw in
            var path = Substring(raw)
            while path.hasSuffix("\r") { path = path.dropLast() }
            while path.hasPrefix("./") { path = path.dropFirst(2) }
            while path.hasPrefix("/") { path = path.dropFirst() }
            return path.isEmpty ? nil : String(path)
        }
    }
}
