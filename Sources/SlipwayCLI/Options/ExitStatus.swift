import ArgumentParser
import Foundation
import SlipwayCore

/// The exit codes the README documents.
enum ExitStatus {
    static let ok = ExitCode(0)
    static let failed = ExitCode(1)
    static let usage = ExitCode(2)
    static let paused = ExitCode(3)
    static let interrupted = ExitCode(130)
}
