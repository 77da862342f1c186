import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayRunner

/// The event and change-set options `plan` and `run` share.
struct ChangeSetOptions: ParsableArguments {
    @Option(
        help:
            "The event: pull_request, push, manual or schedule (default: pull_request with --base, else push).")
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

    @Flag(
        name: .customLong("all"),
        help: "Push or manual: every job that listens to the event, whatever its mark says.")
    var all = false

    @Option(
        name: .customLong("marks-from"),
        help: ArgumentHelp(
            "Converge against the marks generated CI keeps in this git remote (refs/slipway/marks/*, or Bitbucket's tags slipway-marks/*) instead of the local runs'.",
            valueName: "remote"))
    var marksFrom: String?

    var resolvedEvent: Event { event ?? (base != nil || head != nil ? .pullRequest : .push) }

    /// Whether the plan converges (DESIGN.md, "Convergence"): a push or manual run without an
    /// explicit change set and without --all.
    var converges: Bool {
        (resolvedEvent == .push || resolvedEvent == .manual) && !all && before == nil && after == nil
            && changed.isEmpty && changedFrom == nil
    }

    func validate() throws {
        let givenByHand = !changed.isEmpty || changedFrom != nil
        if givenByHand && (base != nil || head != nil || before != nil || after != nil) {
            throw ValidationError("--changed and --changed-from replace git; drop --base, --head, --before and --after")
        }
        if marksFrom != nil && !converges && (resolvedEvent != .pullRequest || givenByHand) {
            throw ValidationError(
                "--marks-from is for converging push and manual runs, and pull requests from git; drop --all, --before, --after and --changed"
            )
        }
        if all && (givenByHand || before != nil || after != nil) {
            throw ValidationError("--all runs every job; drop --changed, --changed-from, --before and --after")
        }
        switch resolvedEvent {
        case .pullRequest where all:
            throw ValidationError("--all is for push and manual runs; a pull request runs what it changes")
        case .pullRequest where before != nil || after != nil:
            throw ValidationError("--before and --after describe a push; a pull request uses --base and --head")
        case .push where base != nil || head != nil:
            throw ValidationError(
                "--base and --head describe a pull request; a push uses --before and --after (or pass --event pull_request)"
            )
        case .schedule where all:
            throw ValidationError("schedule runs select every job that listens to them already; drop --all")
        case .manual, .schedule:
            if base != nil || head != nil || before != nil || after != nil || givenByHand {
                throw ValidationError(
                    "\(resolvedEvent.rawValue) runs select every job that listens to them; they take no change set")
            }
        default:
            break
        }
    }

    /// The change set these options describe, from git (run in `directory`) or given by hand.
    func changeSet(spec: Spec, directory: String) async throws -> ChangeSet {
        if resolvedEvent == .manual || resolvedEvent == .schedule { return ChangeSet(paths: []) }
        if all {
            return ChangeSet(paths: [], everythingBecause: "--all: every job that listens to push runs")
        }
        if !changed.isEmpty || changedFrom != nil {
            var paths = changed
            if let changedFrom { paths += try ChangedFiles.read(changedFrom) }
            return ChangeSet(paths: ChangedFiles.normalize(paths))
        }
        let resolver = ChangeSetResolver(runner: ProcessRunner(), directory: directory)
        if resolvedEvent == .pullRequest {
            if let base { return try await resolver.pullRequest(base: base, head: head ?? "HEAD") }
            // Without --base, compare with the remote default branch, falling back to the local one.
            let remote = "origin/\(spec.defaultBranch)"
            let hasRemote = try await resolver.commitExists(remote)
            return try await resolver.pullRequest(base: hasRemote ? remote : spec.defaultBranch, head: head ?? "HEAD")
        }
        return try await resolver.push(before: before, after: after)
    }

    /// Plans `pipeline` for these options, turning git and change-list problems into exit 2.
    func plan(_ pipeline: Pipeline, session: SpecSession) async throws -> Plan {
        if converges { return try await convergingPlan(pipeline, session: session) }
        let changeSet: ChangeSet
        do {
            changeSet = try await self.changeSet(spec: pipeline.spec, directory: session.options.specDirectory)
        } catch let error as ChangeSetError {
            throw session.fail(error.message, notes: error.notes)
        } catch let error as ChangedFileError {
            throw session.fail(error.message, notes: ["check the path, or pipe the list in with --changed-from -"])
        }
        return Planner().plan(pipeline, event: resolvedEvent, changes: changeSet)
    }

    /// For a pull request from git, what is already out of date on the default branch's tip.
    ///
    /// That is the converging push plan of the base, from CI's marks with --marks-from or the
    /// local runs'; `nil` when there is nothing to go on: no marks anywhere and no --marks-from.
    func pendingOnDefaultBranch(_ pipeline: Pipeline, session: SpecSession) async throws -> [SelectedInstance]? {
        guard resolvedEvent == .pullRequest, changed.isEmpty, changedFrom == nil else { return nil }
        let directory = session.options.specDirectory
        let resolver = ChangeSetResolver(runner: ProcessRunner(), directory: directory)
        do {
            let marks = try await self.marks(pipeline, resolver: resolver, session: session)
            if marks.isEmpty && marksFrom == nil { return nil }
            var tip = base
            if tip == nil, let marksFrom {
                // CI's marks may be newer than the local copy of the branch: compare with the remote's.
                tip = try await resolver.fetchBranch(pipeline.spec.defaultBranch, from: marksFrom)
            } else if tip == nil {
                let remote = "origin/\(pipeline.spec.defaultBranch)"
                tip = try await resolver.commitExists(remote) ? remote : pipeline.spec.defaultBranch
            }
            guard let tip, let state = try await resolver.convergence(marks: marks, at: tip) else { return nil }
            return Planner().converge(pipeline, event: .push, state).selected
        } catch let error as ChangeSetError {
            throw session.fail(error.message, notes: error.notes)
        }
    }

    /// The marks convergence starts from: CI's, fetched with --marks-from, or the local runs'.
    private func marks(_ pipeline: Pipeline, resolver: ChangeSetResolver, session: SpecSession) async throws
        -> [String: Mark]
    {
        if let marksFrom {
            try await resolver.fetchMarks(from: marksFrom)
            return Convergence.marks(bySlug: try await resolver.markRefs(), in: pipeline)
        }
        let root = URL(fileURLWithPath: session.options.specDirectory).standardizedFileURL.path
        return Dictionary(
            uniqueKeysWithValues: try MarkReading.records(root: root, session: session).map { ($0.instance, $0.mark) })
    }

    /// The converging plan of `HEAD`, from the marks in the run store (none when it does not
    /// exist yet), or CI's with --marks-from, and what changed since each marked commit.
    private func convergingPlan(_ pipeline: Pipeline, session: SpecSession) async throws -> Plan {
        let directory = session.options.specDirectory
        let resolver = ChangeSetResolver(runner: ProcessRunner(), directory: directory)
        do {
            let marks = try await self.marks(pipeline, resolver: resolver, session: session)
            guard let state = try await resolver.convergence(marks: marks) else {
                throw session.fail(
                    "this repository has no commit yet, so nothing can be converged to",
                    notes: ["commit first, or pass --all: every job that listens to \(resolvedEvent.rawValue) runs"])
            }
            return Planner().converge(pipeline, event: resolvedEvent, state)
        } catch let error as ChangeSetError {
            // A push or manual run converges against marks, which need git; --all does not.
            throw session.fail(
                error.message,
                notes: error.notes + ["or pass --all: every job that listens to \(resolvedEvent.rawValue) runs"])
        }
    }
}

/// Reading the marks `slipway run` keeps, for `plan` and `marks`.
enum MarkReading {
    /// The marks in the run store of the repository at `root`, with the runs that wrote them; none
    /// when it has no store yet (reading never creates one).
    static func records(root: String, session: SpecSession) throws -> [MarkRecord] {
        let state = StateDirectory(root: root)
        guard FileManager.default.fileExists(atPath: state.database) else { return [] }
        do {
            return try RunStore(path: state.database).markRecords()
        } catch {
            throw session.fail(
                "cannot read the marks in \(state.database): \(error)",
                notes: [
                    "check that .slipway/ is readable; `slipway plan --all` and `slipway run --all` do without them"
                ], status: ExitStatus.failed)
        }
    }
}
