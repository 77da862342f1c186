import Foundation
@preconcurrency import Rainbow

/// Where output goes and whether it may be coloured; made once per command from flags and
/// the environment, then passed down.
public struct Terminal: Sendable {
    /// Whether standard output gets ANSI colours.
    public let colorsOnStandardOutput: Bool
    /// Whether standard error gets ANSI colours.
    public let colorsOnStandardError: Bool

    /// Decides colours: never with `--no-color` or a non-empty `NO_COLOR`, else only on a TTY.
    public init(noColor: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let allowed = !noColor && (environment["NO_COLOR"] ?? "").isEmpty
        colorsOnStandardOutput = allowed && isatty(STDOUT_FILENO) == 1
        colorsOnStandardError = allowed && isatty(STDERR_FILENO) == 1
    }

    /// Writes `text` to standard output as is.
    public func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes bytes to standard output as they are.
    public func write(bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    /// Writes `text` to standard error as is.
    public func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Writes `error: message` and its `note:` lines to standard error.
    public func printError(_ message: String, notes: [String] = []) {
        print(err.error("error:"), message, notes: notes)
    }

    /// Writes `warning: message` and its `note:` lines to standard error.
    public func printWarning(_ message: String, notes: [String] = []) {
        print(err.warning("warning:"), message, notes: notes)
    }

    private func print(_ label: String, _ message: String, notes: [String]) {
        var text = label + " " + err.bold(message) + "\n"
        for note in notes { text += err.note("note:") + " \(note)\n" }
        writeError(text)
    }

    /// Styles for standard output.
    public var out: Palette { Palette(enabled: colorsOnStandardOutput) }
    /// Styles for standard error.
    public var err: Palette { Palette(enabled: colorsOnStandardError) }
}

/// Applies Rainbow's styles only when colour is enabled for the stream being written.
public struct Palette: Sendable {
    let enabled: Bool

    func paint(_ text: String, _ style: (String) -> String) -> String {
        enabled ? style(text) : text
    }

    func error(_ text: String) -> String { paint(text) { $0.red.bold } }
    func warning(_ text: String) -> String { paint(text) { $0.yellow.bold } }
    func note(_ text: String) -> String { paint(text) { $0.cyan.bold } }
    func bold(_ text: String) -> String { paint(text) { $0.bold } }
    func dim(_ text: String) -> String { paint(text) { $0.dim } }
    func success(_ text: String) -> String { paint(text) { $0.green.bold } }
}

/// Rainbow decides on its own from globals; Slipway decides per stream through `Palette`, so
/// Rainbow is told once, at start-up, to always style what it is asked to.
enum RainbowSetup {
    static func configure() {
        Rainbow.enabled = true
        Rainbow.outputTarget = .console
    }
}
