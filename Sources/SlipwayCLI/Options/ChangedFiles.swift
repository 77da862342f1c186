import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayRunner

/// A change list that could not be read.
struct ChangedFileError: Error {
    let message: String
}

/// Reads and cleans hand-given change lists.
enum ChangedFiles {
    static func read(_ source: String) throws(ChangedFileError) -> [String] {
        let data: Data
        if source == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: source) else {
                throw ChangedFileError(message: "cannot read the change list '\(source)'")
            }
            data = contents
        }
        // Split raw bytes, not Characters: a change list can hold 100,000 paths.
        return data.withUnsafeBytes { buffer in
            var lines: [String] = []
            var start = 0
            for index in 0..<buffer.count where buffer[index] == UInt8(ascii: "\n") {
                if index > start {
                    lines.append(
                        String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start..<index]), as: UTF8.self))
                }
                start = index + 1
            }
            if buffer.count > start {
                lines.append(String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start...]), as: UTF8.self))
            }
            return lines
        }
    }

    /// Drops blank lines, trailing carriage returns and a leading `./`, so lists from any tool agree with git's.
    static func normalize(_ paths: [String]) -> [String] {
        paths.compactMap { raw in
            var path = Substring(raw)
            while path.hasSuffix("\r") { path = path.dropLast() }
            while path.hasPrefix("./") { path = path.dropFirst(2) }
            while path.hasPrefix("/") { path = path.dropFirst() }
            return path.isEmpty ? nil : String(path)
        }
    }
}
