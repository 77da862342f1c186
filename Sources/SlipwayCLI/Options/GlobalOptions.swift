import ArgumentParser
import Foundation
import SlipwayCore

/// Flags every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The pipeline spec.", valueName: "file"))
    var spec: String = "slipway.yml"

    @Flag(name: .customLong("no-color"), help: "Never colour output (NO_COLOR does the same).")
    var noColor = false

    var terminal: Terminal { Terminal(noColor: noColor) }

    /// The directory the spec lives in: the repository root for git and generated files.
    var specDirectory: String {
        let url = URL(fileURLWithPath: spec)
        return url.deletingLastPathComponent().path
    }
}
