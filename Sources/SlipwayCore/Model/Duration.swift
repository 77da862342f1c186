/// Parses durations: `30m`, `90s`, `2h`, `1h30m`, `1h30m15s`, `7d`.
public enum DurationParser {
    /// The duration in seconds, or `nil` when `text` is not a positive duration.
    public static func seconds(from text: String) -> Int? {
        var total = 0
        var number: Int?
        var lastUnitRank = -1
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                let (scaled, overflow1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (next, overflow2) = scaled.addingReportingOverflow(digit)
                if overflow1 || overflow2 { return nil }
                number = next
                continue
            }
            let units: [Character: (rank: Int, seconds: Int)] = [
                "d": (0, 86400), "h": (1, 3600), "m": (2, 60), "s": (3, 1),
            ]
            guard let unit = units[character], let value = number, unit.rank > lastUnitRank else { return nil }
            let (product, overflow1) = value.multipliedReportingOverflow(by: unit.seconds)
            let (sum, overflow2) = total.addingReportingOverflow(product)
            if overflow1 || overflow2 { return nil }
            total = sum
            lastUnitRank = unit.rank
            number = nil
        }
        guard number == nil, lastUnitRank >= 0, total > 0 else { return nil }
        return total
    }

    /// Formats seconds the way the spec writes them (`1h30m`).
    public static func format(seconds: Int) -> String {
        let hours = seconds / 3600
        let minutes = seconds % 3600 / 60
        let rest = seconds % 60
        var text = ""
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        if rest > 0 || text.isEmpty { text += "\(rest)s" }
        return text
    }
}
