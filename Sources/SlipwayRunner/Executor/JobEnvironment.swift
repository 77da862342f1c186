import SlipwayCore

/// Builds a job's complete process environment, with least privilege for secrets.
public enum JobEnvironment {
    /// The environment for `instance`: the runner's own environment without any declared secret,
    /// then the spec's, the environment's and the job's variables, Slipway's variables, and only
    /// the secrets the job lists (from `secretValues`).
    public static func build(
        base: [String: String], spec: Spec, instance: JobInstance, secretValues: [String: String], runID: String,
        event: Event,
        summaryPath: String
    ) -> [String: String] {
        var environment = base
        for secret in spec.secrets { environment[secret] = nil }
        for (name, value) in spec.env { environment[name] = value }
        if let name = instance.environment, let declared = spec.environments.first(where: { $0.name == name }) {
            for (variable, value) in declared.env { environment[variable] = value }
        }
        for (name, value) in instance.job.env { environment[name] = value }
        environment["SLIPWAY_RUN_ID"] = runID
        environment["SLIPWAY_JOB"] = instance.id
        environment["SLIPWAY_EVENT"] = event.rawValue
        environment["SLIPWAY_SUMMARY"] = summaryPath
        environment["SLIPWAY_ENVIRONMENT"] = instance.environment
        for secret in instance.job.secrets { environment[secret] = secretValues[secret] }
        return environment
    }

    /// Reads `NAME=value` lines (an env-file): blank lines and `#` comments are skipped, `export `
    /// is allowed, and values may be wrapped in single or double quotes.
    public static func parseEnvFile(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = Substring(rawLine).drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingTrailingSpaces()
            var value = Substring(line[line.index(after: equals)...])
            if value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" {
                value = value.dropFirst().dropLast()
            }
            values[String(name)] = String(value)
        }
        return values
    }
}

extension Substring {
    fileprivate func trimmingTrailingSpaces() -> Substring {
        var result = self
        while result.hasSuffix(" ") || result.hasSuffix("\t") { result = result.dropLast() }
        return result
    }
}
