import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayRunner

/// Run ids sort by time and stay unique: `20261121-093015-4f2a`.
enum RunIdentifier {
    static func make() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date()) + "-" + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
    }
}
