import Foundation

extension Plan {
    /// The JSON document docs/planning.md describes: `event`, `base`, `head`, `changed`, `selected` (in
    /// execution order, each with `id`, `reasons`, `fingerprint` and, for a job that waits at a
    /// gate, `gate`), `skipped` (each with `id`, `reason` and `fingerprint`) and, for a pull
    /// request whose default branch has pending work, `pendingOnDefaultBranch`.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(PlanDocument(self))
    }

    /// A markdown summary for a pull-request comment or a CI job summary.
    public func markdown() -> String {
        var lines: [String] = []
        let total = selected.count + skipped.count
        lines.append("### Slipway plan for \(event.rawValue)")
        lines.append("")
        var facts: [String] = []
        if let base = changes.base, let head = changes.head {
            facts.append("\(Markdown.code(String(base.prefix(12))))..\(Markdown.code(String(head.prefix(12))))")
        }
        facts.append(changed.count == 1 ? "1 file changed" : "\(changed.count) files changed")
        facts.append("\(selected.count) of \(total) jobs run")
        lines.append(facts.joined(separator: " · "))
        if let everything = changes.everythingBecause { lines += ["", "> \(everything)"] }
        lines += ["", "| Job | Result | Why |", "| --- | --- | --- |"]
        for job in selected {
            let why = job.reasons.map { Markdown.reason($0) }.joined(separator: "; ")
            lines.append(
                "| \(Markdown.code(job.id)) | run\(job.approval.map { _ in " after approval" } ?? "") | \(why) |")
        }
        for job in skipped {
            lines.append("| \(Markdown.code(job.id)) | skip | \(Markdown.cell(job.reason.description)) |")
        }
        if let pending = pendingOnDefaultBranch, !pending.isEmpty {
            lines += [
                "", "Already out of date on the default branch (the next push there runs them, whatever this changes):",
                "",
            ]
            for job in pending {
                lines.append(
                    "- \(Markdown.code(job.id)): \(job.reasons.map { Markdown.reason($0) }.joined(separator: "; "))")
            }
        }
        if !changed.isEmpty {
            let shown = changed.prefix(100)
            lines += ["", "<details><summary>Changed files (\(changed.count))</summary>", ""]
            lines += shown.map { "- \(Markdown.code($0))" }
            if changed.count > shown.count { lines.append("- … and \(changed.count - shown.count) more") }
            lines += ["", "</details>"]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

private struct PlanDocument: Encodable {
    let plan: Plan

    init(_ plan: Plan) { self.plan = plan }

    private struct Selected: Encodable {
        let id: String
        let reasons: [String]
        let fingerprint: String
        /// `job` (its own gate) or `environment:<name>` (one approval per run for the environment).
        let gate: String?
        let mark: MarkField?
    }

    private struct Skipped: Encodable {
        let id: String
        let reason: String
        let fingerprint: String
        let mark: MarkField?
    }

    /// A converging plan's `mark` of an instance.
    ///
    /// `null` when it never succeeded; absent from plans of a change set.
    private struct MarkField: Encodable {
        let mark: Mark?

        private enum Keys: String, CodingKey { case commit, fingerprint, succeededAt }

        func encode(to encoder: any Encoder) throws {
            guard let mark else {
                var container = encoder.singleValueContainer()
                try container.encodeNil()
                return
            }
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(mark.commit, forKey: .commit)
            try container.encode(mark.fingerprint, forKey: .fingerprint)
            try container.encode(ISO8601DateFormatter().string(from: mark.succeededAt), forKey: .succeededAt)
        }
    }

    private func mark(of id: String) -> MarkField? {
        plan.marks.map { MarkField(mark: $0[id]) }
    }

    static func gate(_ scope: ApprovalScope) -> String {
        switch scope {
        case .job: return "job"
        case .environment(let name): return "environment:\(name)"
        }
    }

    private struct Pending: Encodable {
        let id: String
        let reasons: [String]
    }

    private enum Keys: String, CodingKey {
        case event, base, head, changed, selected, skipped, pendingOnDefaultBranch
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(plan.event.rawValue, forKey: .event)
        // `base` and `head` are null, not absent, when the change set was given by hand.
        try container.encode(plan.changes.base, forKey: .base)
        try container.encode(plan.changes.head, forKey: .head)
        try container.encode(plan.changed, forKey: .changed)
        try container.encode(
            plan.selected.map {
                Selected(
                    id: $0.id, reasons: $0.reasons.map(\.description), fingerprint: $0.fingerprint,
                    gate: $0.approval.map(PlanDocument.gate), mark: mark(of: $0.id))
            }, forKey: .selected)
        try container.encode(
            plan.skipped.map {
                Skipped(
                    id: $0.id, reason: $0.reason.description, fingerprint: $0.fingerprint, mark: mark(of: $0.id))
            },
            forKey: .skipped)
        if let pending = plan.pendingOnDefaultBranch {
            try container.encode(
                pending.map { Pending(id: $0.id, reasons: $0.reasons.map(\.description)) },
                forKey: .pendingOnDefaultBranch)
        }
    }
}

/// Small helpers for writing markdown that survives any path or job name.
enum Markdown {
    /// A code span that works even when `text` contains backticks.
    static func code(_ text: String) -> String {
        let clean = cell(text)
        var fence = "`"
        while clean.contains(fence) { fence += "`" }
        let pad = clean.hasPrefix("`") || clean.hasSuffix("`") ? " " : ""
        return fence + pad + clean + pad + fence
    }

    /// Text safe inside a table cell: pipes escaped, newlines flattened.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    static func reason(_ reason: SelectionReason) -> String {
        switch reason {
        case .matched(let path, let pattern): return "\(code(path)) matches \(code(pattern))"
        case .cascade(let from): return "needs \(code(from)), which runs"
        case .pulledIn(let by): return "pulled in by \(code(by))"
        default: return cell(reason.description)
        }
    }
}

extension ApprovalScope {
    /// Where a job waits, in words: `waits for approval of prod`.
    public var waitDescription: String {
        switch self {
        case .job: return "waits for approval"
        case .environment(let name): return "waits for approval of \(name), once for the run"
        }
    }
}
