import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Run ids sort by time and stay unique: `20261121-093015-4f2a`.
enum RunIdentifier {
    /// A new id for a run starting now (UTC).
    ///
    /// Formatted with `gmtime_r` rather than a `DateFormatter`, which loads ICU's locale and time
    /// zone data: several milliseconds on every run's start.
    static func make(at date: Date = Date()) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d%02d%02d-%02d%02d%02d-%04x", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, UInt16.random(in: 0...UInt16.max))
    }
}
