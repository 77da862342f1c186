import Foundation
import SlipwayCore
import SlipwayRunner

/// When `slipway run` keeps marks, and writing them once a run is over.
enum MarkWriting {
    /// The commit a run's successes mark: `HEAD`, for a push or manual run when `HEAD` is the
    /// default branch's head and no tracked file differs from it; otherwise nil (the run is not
    /// of a commit the default branch has, so it proves nothing about it).
    static func commit(event: Event, branch: String, directory: String) async -> String? {
        guard event == .push || event == .manual else { return nil }
        let git = ChangeSetResolver(runner: ProcessRunner(), directory: directory)
        guard let head = (try? await git.resolve("HEAD")) ?? nil else { return nil }
        let branchHead = (try? await git.resolve("refs/heads/\(branch)")) ?? nil
        let clean = (try? await git.trackedFilesAreClean()) ?? false
        return branchHead == head && clean ? head : nil
    }

    /// Moves the mark of every instance that succeeded in `run` to `commit`, in the order they
    /// succeeded, and says so; what cannot be written is reported, never fatal.
    static func record(run: String, at commit: String, execution: RunExecution) async {
        let terminal = execution.session.terminal
        let keeper = MarkKeeper(
            store: execution.store, directory: execution.root, branch: execution.pipeline.spec.defaultBranch)
        do {
            let succeeded = try execution.store.attempts(run: run)
                .filter { $0.status == .succeeded }
                .sorted { ($0.finishedAt ?? .distantPast) < ($1.finishedAt ?? .distantPast) }
            var moved: [String] = []
            for attempt in succeeded {
                guard let instance = execution.pipeline.instance(attempt.job) else { continue }
                let mark = Mark(
                    commit: commit, fingerprint: instance.fingerprint, succeededAt: attempt.finishedAt ?? Date())
                switch try await keeper.advance(instance.id, to: mark, run: run) {
                case .moved:
                    moved.append(instance.id)
                case .kept(let newer):
                    terminal.printWarning(
                        "kept the mark of \(instance.id) at \(Mark.short(newer)): it is newer than this run's \(Mark.short(commit))",
                        notes: ["a later run of the default branch succeeded first; nothing to do"])
                }
            }
            if !moved.isEmpty && execution.options.format == .text {
                terminal.write(
                    "Marked \(moved.joined(separator: ", ")) up to date at \(Mark.short(commit)) (`slipway marks` lists them).\n"
                )
            }
        } catch {
            execution.session.printError(
                "could not record which jobs are up to date: \(error)",
                notes: [
                    "the jobs ran as printed above; the next push plans them as out of date and runs them again"
                ])
        }
    }
}
