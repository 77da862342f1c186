/// Where a job instance's variable gets its value.
public enum VariableOrigin: Sendable, Hashable {
    /// The spec's top-level `env`.
    case spec
    /// The `env` of the environment the instance runs in.
    case environment(String)
    /// The job's own `env`.
    case job
}

/// One variable a job instance's script sees, with where its value comes from.
public struct ResolvedVariable: Sendable, Hashable {
    /// The variable's name.
    public let name: String
    /// Its value, as written in the spec.
    public let value: String
    /// The layer that set the value the instance sees.
    public let origin: VariableOrigin

    /// Creates a variable.
    public init(name: String, value: String, origin: VariableOrigin) {
        self.name = name
        self.value = value
        self.origin = origin
    }

    /// Merges the spec's, the environment's and the job's variables: a later layer's value
    /// replaces an earlier one where it stood.
    static func merge(spec: Variables, environment: Environment?, job: Variables) -> [ResolvedVariable] {
        var result: [ResolvedVariable] = []
        var positions: [String: Int] = [:]
        func set(_ name: String, _ value: String, _ origin: VariableOrigin) {
            let variable = ResolvedVariable(name: name, value: value, origin: origin)
            if let position = positions[name] {
                result[position] = variable
            } else {
                positions[name] = result.count
                result.append(variable)
            }
        }
        for (name, value) in spec { set(name, value, .spec) }
        if let environment {
            for (name, value) in environment.env { set(name, value, .environment(environment.name)) }
        }
        for (name, value) in job { set(name, value, .job) }
        return result
    }
}
