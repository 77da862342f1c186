import Foundation
import SlipwayCore

/// Moves job instances' marks forward in the run store after they succeed on the default branch
/// (DESIGN.md, "Convergence").
///
/// A mark moves to a commit that descends from it; after a force push dropped the marked commit
/// from the default branch, to a commit on the branch as it is now. It never moves to an
/// ancestor: a run of an older commit that finishes late leaves a newer run's mark alone.
public struct MarkKeeper: Sendable {
    /// What happened to one instance's mark.
    public enum Outcome: Sendable, Hashable {
        /// The mark is now at the commit.
        case moved
        /// The mark stays at this newer commit, which the run's commit does not descend from.
        case kept(String)
    }

    private let store: RunStore
    private let git: ChangeSetResolver
    private let branch: String

    /// Creates a keeper writing to `store`, asking git in `directory` how commits relate, with
    /// `branch` (the spec's `defaultBranch`) as the branch marks follow.
    public init(store: RunStore, directory: String, branch: String, runner: ProcessRunner = ProcessRunner()) {
        self.store = store
        self.git = ChangeSetResolver(runner: runner, directory: directory)
        self.branch = branch
    }

    /// The commit a run's successes mark: `HEAD`, for a push or manual run when `HEAD` is the
    /// default branch's head and no tracked file differs from it; otherwise nil (the run is not of
    /// a commit the default branch has, so it proves nothing about it).
    public func commitToMark(for event: Event) async -> String? {
        guard event == .push || event == .manual else { return nil }
        guard let head = (try? await git.resolve("HEAD")) ?? nil else { return nil }
        let branchHead = (try? await git.resolve("refs/heads/\(branch)")) ?? nil
        let clean = (try? await git.trackedFilesAreClean()) ?? false
        return branchHead == head && clean ? head : nil
    }

    /// Moves the mark of every instance of `pipeline` that succeeded in `run` to `commit`, in the
    /// order they succeeded (each with its attempt's end as its time); what happened to each.
    public func recordSuccesses(of run: String, at commit: String, in pipeline: Pipeline) async throws -> [(
        instance: String, outcome: Outcome
    )] {
        let succeeded = try store.attempts(run: run)
            .filter { $0.status == .succeeded }
            .sorted { ($0.finishedAt ?? .distantPast) < ($1.finishedAt ?? .distantPast) }
        var outcomes: [(instance: String, outcome: Outcome)] = []
        for attempt in succeeded {
            guard let instance = pipeline.instance(attempt.job) else { continue }
            let mark = Mark(
                commit: commit, fingerprint: instance.fingerprint, succeededAt: attempt.finishedAt ?? Date())
            outcomes.append((instance.id, try await advance(instance.id, to: mark, run: run)))
        }
        return outcomes
    }

    /// Records that `instance` succeeded at `mark.commit` with `mark.fingerprint`, in `run`,
    /// unless its mark is at a commit that is newer.
    public func advance(_ instance: String, to mark: Mark, run: String) async throws -> Outcome {
        // A write whose premise changed (another run moved the mark meanwhile) is decided again.
        for _ in 0..<20 {
            let current = try store.mark(of: instance)
            if let current, current.commit != mark.commit,
                !(try await git.isAncestor(current.commit, of: mark.commit))
            {
                // Not forward. Only a force push (the marked commit gone from the branch, this
                // one on it) lets the mark move anyway.
                let branchHead = try await git.resolve("refs/heads/\(branch)")
                guard let branchHead, !(try await git.isAncestor(current.commit, of: branchHead)),
                    try await git.isAncestor(mark.commit, of: branchHead)
                else { return .kept(current.commit) }
            }
            if try store.setMark(instance, to: mark, run: run, expecting: current?.commit) { return .moved }
        }
        throw MarkKeeperError.contended(instance: instance)
    }
}

/// The mark could not be written because other runs kept moving it.
public enum MarkKeeperError: Error, Sendable, CustomStringConvertible {
    /// Twenty attempts in a row found the mark moved by another run.
    case contended(instance: String)

    public var description: String {
        switch self {
        case .contended(let instance):
            return "the mark of \(instance) kept changing under other runs; it was left as they wrote it"
        }
    }
}
