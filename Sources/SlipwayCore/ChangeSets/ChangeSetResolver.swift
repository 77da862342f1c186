import Foundation

/// Why a change set could not be computed.
public enum ChangeSetError: Error, Hashable, Sendable {
    /// git could not be started.
    case gitUnavailable(reason: String)
    /// The directory is not inside a git work tree.
    case notARepository(directory: String)
    /// A ref or SHA that git does not know.
    case unknownRevision(String, role: String)
    /// The two commits share no history (often a shallow clone).
    case noMergeBase(base: String, head: String)
    /// git failed for another reason.
    case gitFailed(command: String, message: String)

    /// One line: what failed.
    public var message: String {
        switch self {
        case .gitUnavailable(let reason): return "cannot run git: \(reason)"
        case .notARepository(let directory): return "'\(directory)' is not inside a git repository"
        case .unknownRevision(let revision, let role): return "\(role) '\(revision)' is not a commit in this repository"
        case .noMergeBase(let base, let head): return "'\(base)' and '\(head)' have no common history"
        case .gitFailed(let command, let message): return "`\(command)` failed: \(message)"
        }
    }

    /// What to do about it.
    public var notes: [String] {
        switch self {
        case .gitUnavailable: return ["install git, or pass the changed files with --changed / --changed-from"]
        case .notARepository:
            return ["run from the repository, or pass the changed files with --changed / --changed-from"]
        case .unknownRevision(let revision, _):
            return [
                "fetch it first (for example `git fetch origin \(revision.replacingOccurrences(of: "origin/", with: ""))`); CI checkouts are often shallow"
            ]
        case .noMergeBase:
            return [
                "the clone is probably shallow: fetch more history (`git fetch --unshallow`, or fetch-depth: 0 on GitHub)"
            ]
        case .gitFailed: return []
        }
    }
}

/// Computes change sets with git, as docs/planning.md defines them for each event.
public struct ChangeSetResolver: Sendable {
    private let runner: any ProcessRunning
    private let directory: String

    /// Creates a resolver that runs git through `runner` inside `directory`.
    public init(runner: any ProcessRunning, directory: String) {
        self.runner = runner
        self.directory = directory
    }

    /// A pull request's change set: `merge-base(base, head)..head`.
    public func pullRequest(base: String, head: String = "HEAD") async throws(ChangeSetError) -> ChangeSet {
        try await checkRepository()
        let baseCommit = try await commit(base, role: "base")
        let headCommit = try await commit(head, role: "head")
        let mergeBase = try await git(["merge-base", baseCommit, headCommit], allowing: [1])
        guard mergeBase.status == 0, let mergeBaseSHA = Self.firstLine(mergeBase.standardOutput) else {
            throw .noMergeBase(base: base, head: head)
        }
        let paths = try await diff(from: mergeBaseSHA, to: headCommit)
        return ChangeSet(base: mergeBaseSHA, head: headCommit, paths: paths)
    }

    /// A push's change set: `before..after`; an unknown or all-zero `before`, or a first commit,
    /// means every file of `after` changed.
    public func push(before: String? = nil, after: String? = nil) async throws(ChangeSetError) -> ChangeSet {
        try await checkRepository()
        let afterCommit = try await commit(after ?? "HEAD", role: "after")
        let everything: String?
        var beforeCommit: String?
        if let before {
            if before.allSatisfy({ $0 == "0" }) {
                everything = "first push (before is all zeros): every file counts as changed"
            } else if let resolved = try await optionalCommit(before) {
                beforeCommit = resolved
                everything = nil
            } else {
                everything = "before '\(before)' is not in this repository: every file counts as changed"
            }
        } else if let parent = try await optionalCommit("\(afterCommit)^") {
            beforeCommit = parent
            everything = nil
        } else {
            everything = "first commit: every file counts as changed"
        }
        if let beforeCommit {
            return ChangeSet(
                base: beforeCommit, head: afterCommit, paths: try await diff(from: beforeCommit, to: afterCommit))
        }
        let tree = try await git(["ls-tree", "-r", "--name-only", "-z", afterCommit])
        return ChangeSet(
            base: nil, head: afterCommit, paths: Self.nulSeparated(tree.standardOutput), everythingBecause: everything)
    }

    /// Whether `revision` names a commit in the repository.
    public func commitExists(_ revision: String) async throws(ChangeSetError) -> Bool {
        try await checkRepository()
        return try await optionalCommit(revision) != nil
    }

    /// The commit `revision` names, or nil when the repository has no such commit.
    public func resolve(_ revision: String) async throws(ChangeSetError) -> String? {
        try await checkRepository()
        return try await optionalCommit(revision)
    }

    /// What changed between a marked commit and `head` (a tree diff, so a revert or a force push
    /// counts what differs, however the history got there); every file of `head` when the
    /// commit is not in the repository.
    public func changes(since commit: String, to head: String) async throws(ChangeSetError) -> ChangeSet {
        guard let resolved = try await optionalCommit(commit) else {
            let tree = try await git(["ls-tree", "-r", "--name-only", "-z", head])
            return ChangeSet(
                base: nil, head: head, paths: Self.nulSeparated(tree.standardOutput),
                everythingBecause: "\(commit) is not in this repository: every file counts as changed")
        }
        return ChangeSet(base: resolved, head: head, paths: try await diff(from: resolved, to: head))
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors; false when either is unknown.
    public func isAncestor(_ ancestor: String, of descendant: String) async throws(ChangeSetError) -> Bool {
        let output = try await git(
            ["merge-base", "--is-ancestor", "--end-of-options", ancestor, descendant], allowing: [1, 128])
        return output.status == 0
    }

    /// Whether the work tree and index match `HEAD` for every tracked file.
    public func trackedFilesAreClean() async throws(ChangeSetError) -> Bool {
        let output = try await git(["status", "--porcelain", "--untracked-files=no"])
        return output.standardOutput.isEmpty
    }

    /// The marks kept as refs under `MarkRefs.prefix`, by instance slug.
    public func markRefs() async throws(ChangeSetError) -> [String: Mark] {
        try await checkRepository()
        let output = try await git(["for-each-ref", "--format=\(MarkRefs.forEachRefFormat)", MarkRefs.prefix])
        return MarkRefs.marks(fromForEachRef: output.standardOutput)
    }

    /// What convergence plans `revision` (`HEAD` unless given) from: `marks` and what changed
    /// since each marked commit; nil when the repository has no commit yet.
    public func convergence(marks: [String: Mark], at revision: String = "HEAD") async throws(ChangeSetError)
        -> Convergence?
    {
        guard let head = try await resolve(revision) else { return nil }
        var changesSince: [String: ChangeSet] = [:]
        for commit in Convergence.commits(of: marks) where commit != head {
            changesSince[commit] = try await changes(since: commit, to: head)
        }
        return Convergence(head: head, marks: marks, changesSince: changesSince)
    }

    /// Fetches every mark from `remote` into `refs/slipway/marks/` here, replacing what they held.
    ///
    /// GitHub and GitLab keep them at the same refs; when `remote` has none there, they are read
    /// from Bitbucket's tags (`MarkRefs.tagPrefix`).
    public func fetchMarks(from remote: String) async throws(ChangeSetError) {
        try await checkRepository()
        for remotePrefix in [MarkRefs.prefix, MarkRefs.tagPrefix] {
            _ = try await git([
                "fetch", "--quiet", "--no-tags", "--prune", "--end-of-options", remote,
                MarkRefs.refspec(from: remotePrefix),
            ])
            if !(try await markRefs()).isEmpty { return }
        }
    }

    /// Fetches branch `branch` of `remote` into a ref of Slipway's own and returns that ref, so a
    /// plan can use the remote's tip without touching the repository's remote-tracking branches.
    public func fetchBranch(_ branch: String, from remote: String) async throws(ChangeSetError) -> String {
        try await checkRepository()
        let ref = "refs/slipway/tips/\(branch)"
        _ = try await git(["fetch", "--quiet", "--no-tags", "--end-of-options", remote, "+refs/heads/\(branch):\(ref)"])
        return ref
    }

    // MARK: git

    private func checkRepository() async throws(ChangeSetError) {
        let output = try await git(["rev-parse", "--is-inside-work-tree"], allowing: [128])
        if output.status != 0 { throw .notARepository(directory: directory) }
    }

    private func commit(_ revision: String, role: String) async throws(ChangeSetError) -> String {
        guard let sha = try await optionalCommit(revision) else { throw .unknownRevision(revision, role: role) }
        return sha
    }

    private func optionalCommit(_ revision: String) async throws(ChangeSetError) -> String? {
        // `--end-of-options` keeps a revision that starts with '-' from being read as an option.
        let output = try await git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", "\(revision)^{commit}"], allowing: [1, 128])
        return output.status == 0 ? Self.firstLine(output.standardOutput) : nil
    }

    /// Changed paths between two commits; `--no-renames` lists a rename as a deletion and an
    /// addition, so both names count, and deleted files are listed too.
    private func diff(from base: String, to head: String) async throws(ChangeSetError) -> [String] {
        let output = try await git(["diff", "--name-only", "--no-renames", "--no-ext-diff", "-z", base, head])
        return Self.nulSeparated(output.standardOutput)
    }

    private func git(_ arguments: [String], allowing allowed: Set<Int32> = []) async throws(ChangeSetError)
        -> ProcessOutput
    {
        let output: ProcessOutput
        do {
            output = try await runner.run("git", arguments: arguments, workingDirectory: directory)
        } catch {
            throw .gitUnavailable(reason: "\(error)")
        }
        guard output.status == 0 || allowed.contains(output.status) else {
            let message = output.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            throw .gitFailed(command: (["git"] + arguments).joined(separator: " "), message: message)
        }
        return output
    }

    private static func firstLine(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text.split(separator: "\n").first.map(String.init)
    }

    private static func nulSeparated(_ bytes: [UInt8]) -> [String] {
        bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }
}
