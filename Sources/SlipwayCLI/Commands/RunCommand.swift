import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayRunner

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the jobs an event selects, here, the way CI would.",
        discussion: """
            Plans like `slipway plan` (same change-set options), then runs the selected
            jobs with bash -euo pipefail in dependency and promotion order, up to --jobs
            at once. Each job gets the spec's, its environment's and its own variables,
            SLIPWAY_* variables, and only the secrets it lists (from the environment or
            --env-file); secret values are masked as *** in all output and logs. Logs go
            to .slipway/runs/<run>/<job>.log.

            A gated job pauses the run (exit 3) unless approved ahead with --approve.
            Ctrl-C stops every job's process group (exit 130). Exit 1 when a job failed or
            timed out.

            Examples:
              slipway run --event pull_request --base origin/main
              slipway run --event push --env-file .env --jobs 4
              slipway run --event push --approve apply@prod
              slipway run --event manual --job nightly --dry-run
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var options: GlobalOptions

    @OptionGroup var changes: ChangeSetOptions

    @Option(name: .customLong("job"), help: ArgumentHelp("Run only this job instance (repeatable).", valueName: "id"))
    var onlyJobs: [String] = []

    @OptionGroup var running: RunOptions

    @Flag(name: .customLong("dry-run"), help: "Print the plan and the exact scripts; run nothing.")
    var dryRun = false

    func run() async throws {
        let session = SpecSession(options: options)
        let (pipeline, _) = try session.pipeline(showWarnings: false)
        let plan = try await changes.plan(pipeline, session: session)
        var jobs = ScheduledJob.jobs(for: plan, in: pipeline)
        if !onlyJobs.isEmpty {
            for id in onlyJobs where pipeline.instance(id) == nil {
                throw session.unknownJob(
                    "--job names '\(id)', which is not a job of \(options.spec)", id: id,
                    known: pipeline.instances.map(\.id))
            }
            // The named jobs run whether the plan selected them or not, in execution order.
            jobs = ScheduledJob.jobs(Set(onlyJobs), in: pipeline)
        }
        for id in running.approvals where pipeline.instance(id) == nil {
            throw session.unknownJob(
                "--approve names '\(id)', which is not a job of \(options.spec)", id: id,
                known: pipeline.instances.map(\.id))
        }
        if dryRun {
            session.terminal.write(DryRun.render(jobs: jobs, pipeline: pipeline, plan: plan))
            return
        }
        if jobs.isEmpty {
            session.terminal.write("Nothing to run for \(changes.resolvedEvent.rawValue): no job is selected.\n")
            return
        }

        let root = URL(fileURLWithPath: options.specDirectory).standardizedFileURL.path
        let store = try session.openStore(StateDirectory(root: root), beforeRunning: true)
        let runID = RunIdentifier.make()
        let marksCommit = await MarkWriting.keeper(store: store, root: root, pipeline: pipeline)
            .commitToMark(for: changes.resolvedEvent)
        try store.insert(
            try RunRecord(
                id: runID, spec: options.spec, event: changes.resolvedEvent.rawValue, jobs: jobs,
                marksCommit: marksCommit))
        let person = await Person.identify(in: root)
        for id in running.approvals { try store.approve(run: runID, job: id, by: person) }
        let execution = RunExecution(
            session: session, pipeline: pipeline, event: changes.resolvedEvent, jobs: jobs, runID: runID,
            options: running,
            store: store, root: root, approved: Set(running.approvals), marksCommit: marksCommit)
        try await execution.execute()
    }
}
