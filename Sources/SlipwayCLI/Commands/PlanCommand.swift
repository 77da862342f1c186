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
              pull_request  merge-base(--base, --head)..--head   (--base defaults to origin/<defaultBranch>),
                            and what is already out of date on the base (from the marks)
              push, manual  every job out of date since its mark: the local runs', or
                            CI's with --marks-from; --all runs every job that listens
              push          --before..--after                    (an all-zero or unknown --before
                                                                  means every file)
              schedule                                           (every job that listens runs)
            --changed and --changed-from bypass git.

            Examples:
              slipway plan --event pull_request --base origin/main
              slipway plan --event push --marks-from origin        # what the next push to CI runs
              slipway plan --event push --before "$BEFORE_SHA" --after "$GITHUB_SHA" --format json
              git diff --name-only main | slipway plan --event pull_request --changed-from -
              slipway plan --event pull_request --base main --format markdown >> "$GITHUB_STEP_SUMMARY"
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown
    }

    @OptionGroup var options: GlobalOptions

    @OptionGroup var changes: ChangeSetOptions

    @Option(help: "Output format: text, json or markdown.")
    var format: Format = .text

    func run() async throws {
        let session = SpecSession(options: options)
        let (pipeline, _) = try session.pipeline(showWarnings: false)
        var plan = try await changes.plan(pipeline, session: session)
        plan.pendingOnDefaultBranch = try await changes.pendingOnDefaultBranch(pipeline, session: session)
        switch format {
        case .text: session.terminal.write(PlanTextRenderer(palette: session.terminal.out).render(plan))
        case .json: session.terminal.write(String(decoding: try plan.jsonData(), as: UTF8.self) + "\n")
        case .markdown: session.terminal.write(plan.markdown())
        }
    }
}

extension Event: ExpressibleByArgument {}
