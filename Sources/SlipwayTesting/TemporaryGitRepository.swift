import Foundation
import SlipwayRunner

/// A real git repository in a temporary directory, driven by the real git binary.
public struct TemporaryGitRepository: Sendable {
    /// The work tree.
    public let directory: TemporaryDirectory
    private let runner = ProcessRunner()

    /// The repository's path.
    public var path: String { directory.path }

    /// Wraps an existing repository in `directory` (a clone, say) without changing it.
    public init(directory: TemporaryDirectory) {
        self.directory = directory
    }

    /// Creates a repository with `main` as its first branch and a fixed identity.
    public static func create() async throws -> TemporaryGitRepository {
        let repository = TemporaryGitRepository(directory: try TemporaryDirectory(prefix: "slipway-git"))
        try await repository.git("init", "--quiet", "--initial-branch=main")
        try await repository.git("config", "user.name", "Slipway Test")
        try await repository.git("config", "user.email", "test@slipway.invalid")
        try await repository.git("config", "commit.gpgsign", "false")
        return repository
    }

    /// Writes a file in the work tree.
    public func write(_ relativePath: String, _ contents: String = "x\n") throws {
        try directory.write(relativePath, contents)
    }

    /// Stages everything and commits; returns the new commit's SHA.
    @discardableResult
    public func commit(_ message: String) async throws -> String {
        try await git("add", "--all")
        try await git("commit", "--quiet", "--allow-empty", "-m", message)
        return try await git("rev-parse", "HEAD")
    }

    /// Runs git in the repository and returns its trimmed standard output; throws when git fails.
    @discardableResult
    public func git(_ arguments: String...) async throws -> String {
        let output = try await runner.run("git", arguments: arguments, workingDirectory: path)
        guard output.status == 0 else {
            throw GitCommandError(arguments: arguments, status: output.status, message: output.standardError)
        }
        return String(decoding: output.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Deletes the repository.
    public func remove() { directory.remove() }
}

/// A git command in a test repository failed.
public struct GitCommandError: Error, CustomStringConvertible {
    public let arguments: [String]
    public let status: Int32
    public let message: String

    public var description: String { "git \(arguments.joined(separator: " ")) exited \(status): \(message)" }
}
