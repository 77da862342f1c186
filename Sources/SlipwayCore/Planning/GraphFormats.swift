/// Renders a pipeline's dependency graph for documentation and review.
public enum GraphFormat: String, Sendable, CaseIterable {
    case mermaid
    case dot
}

extension Pipeline {
    /// The instance graph: solid edges for `needs`, dashed edges for promotion order; mutating
    /// instances are drawn as hexagons and gated ones are labelled.
    public func graph(_ format: GraphFormat) -> String {
        switch format {
        case .mermaid: return mermaid()
        case .dot: return dot()
        }
    }

    private func label(_ instance: JobInstance) -> String {
        var label = instance.id
        if instance.gate != nil { label += " (manual gate)" }
        return label
    }

    private func mermaid() -> String {
        var nodeNames: [String: String] = [:]
        for (index, instance) in instances.enumerated() { nodeNames[instance.id] = "j\(index)" }
        var lines = ["flowchart LR"]
        for instance in instances {
            let name = nodeNames[instance.id]!
            let text = "\"" + label(instance).replacingOccurrences(of: "\"", with: "#quot;") + "\""
            lines.append(instance.mutates ? "  \(name){{\(text)}}" : "  \(name)[\(text)]")
        }
        for instance in instances {
            for need in instance.needs { lines.append("  \(nodeNames[need]!) --> \(nodeNames[instance.id]!)") }
            for previous in instance.after { lines.append("  \(nodeNames[previous]!) -.-> \(nodeNames[instance.id]!)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func dot() -> String {
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var lines = ["digraph \(quoted(spec.name ?? "slipway")) {", "  rankdir=LR;", "  node [shape=box];"]
        for instance in instances {
            let shape = instance.mutates ? ", shape=hexagon" : ""
            lines.append("  \(quoted(instance.id)) [label=\(quoted(label(instance)))\(shape)];")
        }
        for instance in instances {
            for need in instance.needs { lines.append("  \(quoted(need)) -> \(quoted(instance.id));") }
            for previous in instance.after {
                lines.append("  \(quoted(previous)) -> \(quoted(instance.id)) [style=dashed];")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
