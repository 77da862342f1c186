import SlipwayTesting

/// Runs a program from `PATH` in `directory` with `environment` added.
func run(
    _ program: String, _ arguments: [String], in directory: String, environment: [String: String?] = [:]
) async throws -> CommandResult {
    try await SlipwayBinary(path: "/usr/bin/env").run([program] + arguments, in: directory, environment: environment)
}
