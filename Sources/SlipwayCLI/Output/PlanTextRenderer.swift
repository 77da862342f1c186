import SlipwayCore

/// Renders a plan as a table a person reads in a terminal.
struct PlanTextRenderer {
    let palette: Palette

    func render(_ plan: Plan) -> String {
        var output = ""
        var header = "Plan for \(plan.event.rawValue)"
        if let base = plan.changes.base, let head = plan.changes.head {
            header += ": \(base.prefix(12))..\(head.prefix(12))"
        } else if let head = plan.changes.head {
            header += ": \(head.prefix(12))"
        }
        if plan.event == .pullRequest || plan.event == .push {
            let count = plan.changed.count
            header += " (\(count) file\(count == 1 ? "" : "s") changed)"
        }
        output += palette.bold(header) + "\n"
        if let everything = plan.changes.everythingBecause { output += palette.dim(everything) + "\n" }
        output += "\n"
        let width = (plan.selected.map(\.id.count) + plan.skipped.map(\.id.count)).max() ?? 0
        func padded(_ id: String) -> String { id + String(repeating: " ", count: max(0, width - id.count)) }
        // An environment's gate is one approval per run: said at its first job, referred to after.
        var firstAtGate: [ApprovalScope: String] = [:]
        for job in plan.selected {
            var facts = job.reasons.map(\.description)
            if let scope = job.approval {
                if let first = firstAtGate[scope] {
                    facts.append("approved with \(first)")
                } else {
                    firstAtGate[scope] = job.id
                    facts.append(scope.waitDescription)
                }
            }
            let why = facts.joined(separator: "; ")
            output += "  " + palette.success("run ") + "  " + padded(job.id) + "  " + why + "\n"
        }
        for job in plan.skipped {
            output +=
                "  " + palette.dim("skip") + "  " + palette.dim(padded(job.id)) + "  "
                + palette.dim(job.reason.description) + "\n"
        }
        let total = plan.selected.count + plan.skipped.count
        output += "\n\(plan.selected.count) of \(total) job\(total == 1 ? "" : "s") run.\n"
        if let pending = plan.pendingOnDefaultBranch, !pending.isEmpty {
            output += "\n" + palette.bold("Already out of date on the default branch") + "\n"
            output += palette.dim("The next push there runs these, whatever this pull request changes:") + "\n"
            let width = pending.map(\.id.count).max() ?? 0
            for job in pending {
                output +=
                    "  " + job.id + String(repeating: " ", count: width - job.id.count) + "  "
                    + job.reasons.map(\.description).joined(separator: "; ") + "\n"
            }
        }
        return output
    }
}
