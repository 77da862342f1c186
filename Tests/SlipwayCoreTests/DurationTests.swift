import SlipwayCore
import Testing

struct DurationTests {
    @Test(arguments: [
        ("30m", 1800), ("2s", 2), ("1h30m", 5400), ("1h30m15s", 5415), ("90s", 90), ("2h", 7200), ("7d", 604_800),
        ("1d12h", 129_600),
    ])
    func parses(text: String, seconds: Int) {
        #expect(DurationParser.seconds(from: text) == seconds)
    }

    @Test(arguments: ["", "30", "m", "30x", "1m1h", "0s", "-5m", "1.5h", "30 m", "99999999999999999999h", "1h1d"])
    func rejects(text: String) {
        #expect(DurationParser.seconds(from: text) == nil)
    }

    @Test func formatsTheWaySpecsWriteThem() {
        #expect(DurationParser.format(seconds: 5400) == "1h30m")
        #expect(DurationParser.format(seconds: 60) == "1m")
        #expect(DurationParser.format(seconds: 3) == "3s")
    }
}
