import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A job ready to run: its script, where, with what environment, and what to hide in its output.
public struct ExecutableJob: Sendable {
    /// The instance id, for messages.
    public var id: String
    /// The script, run by `bash --noprofile --norc -euo pipefail -c`.
    public var script: String
    /// The absolute directory the script runs in.
    public var directory: String
    /// The complete environment of the process (nothing is inherited beyond it).
    public var environment: [String: String]
    /// Values masked as `***` in everything the job prints.
    public var secretValues: [String]

    /// Creates an executable job.
    public init(id: String, script: String, directory: String, environment: [String: String], secretValues: [String]) {
        self.id = id
        self.script = script
        self.directory = directory
        self.environment = environment
        self.secretValues = secretValues
    }
}
