import Foundation
import SlipwayCore
import SlipwayRunner

/// What `slipway run` and `resume` say about the marks a run moves (`MarkKeeper`).
enum MarkWriting {
    /// The keeper of `pipeline`'s marks in `store`, asking git in `root`.
    static func keeper(store: RunStore, root: String, pipeline: Pipeline) -> MarkKeeper {
        MarkKeeper(store: store, directory: root, branch: pipeline.spec.defaultBranch)
    }

    /// Moves the marks of what succeeded in `run` to `commit`, and says so; what cannot be
    /// written is reported, never fatal.
    static func record(run: String, at commit: String, execution: RunExecution) async {
        let terminal = execution.session.terminal
        let keeper = keeper(store: execution.store, root: execution.root, pipeline: execution.pipeline)
        do {
            var moved: [String] = []
            for (instance, outcome) in try await keeper.recordSuccesses(of: run, at: commit, in: execution.pipeline) {
                switch outcome {
                case .moved:
                    moved.append(instance)
                case .kept(let newer):
                    terminal.printWarning(
                        "kept the mark of \(instance) at \(Mark.short(newer)): it is newer than this run's \(Mark.short(commit))",
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
