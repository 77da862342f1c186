/// Renders the difference between two texts as a unified diff with three lines of context.
enum UnifiedDiff {
    private enum Line {
        case same(String)
        case removed(String)
        case added(String)
    }

    static func render(old: String, new: String, oldName: String, newName: String, oldMissing: Bool = false) -> String {
        let oldLines = lines(old)
        let newLines = lines(new)
        let script = editScript(oldLines, newLines)
        var output = "--- \(oldMissing ? "/dev/null" : oldName)\n+++ \(newName)\n"
        let changed = script.indices.filter { if case .same = script[$0] { return false } else { return true } }
        guard !changed.isEmpty else { return output }
        // Group changes whose context overlaps into hunks.
        var hunks: [ClosedRange<Int>] = []
        for index in changed {
            let range = max(0, index - 3)...min(script.count - 1, index + 3)
            if let last = hunks.last, range.lowerBound <= last.upperBound + 1 {
                hunks[hunks.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                hunks.append(range)
            }
        }
        for hunk in hunks {
            var oldStart = 1
            var newStart = 1
            for entry in script[..<hunk.lowerBound] {
                switch entry {
                case .same:
                    oldStart += 1
                    newStart += 1
                case .removed: oldStart += 1
                case .added: newStart += 1
                }
            }
            var oldCount = 0
            var newCount = 0
            var body = ""
            for entry in script[hunk] {
                switch entry {
                case .same(let text):
                    oldCount += 1
                    newCount += 1
                    body += " \(text)\n"
                case .removed(let text):
                    oldCount += 1
                    body += "-\(text)\n"
                case .added(let text):
                    newCount += 1
                    body += "+\(text)\n"
                }
            }
            output +=
                "@@ -\(oldCount == 0 ? oldStart - 1 : oldStart),\(oldCount) +\(newCount == 0 ? newStart - 1 : newStart),\(newCount) @@\n"
                + body
        }
        return output
    }

    private static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The edit script from the standard library's difference (Myers), in file order.
    private static func editScript(_ old: [String], _ new: [String]) -> [Line] {
        let difference = new.difference(from: old)
        var removed: Set<Int> = []
        var added: Set<Int> = []
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): added.insert(offset)
            }
        }
        var script: [Line] = []
        var oldIndex = 0
        var newIndex = 0
        while oldIndex < old.count || newIndex < new.count {
            if oldIndex < old.count, removed.contains(oldIndex) {
                script.append(.removed(old[oldIndex]))
                oldIndex += 1
            } else if newIndex < new.count, added.contains(newIndex) {
                script.append(.added(new[newIndex]))
                newIndex += 1
            } else {
                script.append(.same(old[oldIndex]))
                oldIndex += 1
                newIndex += 1
            }
        }
        return script
    }
}
