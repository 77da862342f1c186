/// What a tool's name, version and digest may look like in `slipway.yml`.
enum ToolPinRules {
    static let nameRule = "a tool is named by its command: letters, digits, '.', '-' and '_'"
    static let versionRule =
        "a version without a leading 'v', made of letters, digits, '.', '-' and '+', such as 1.11.4"

    /// Whether `name` can be a command a script runs.
    static func isCommandName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCIILetter || $0.isASCIIDigit || "._-".unicodeScalars.contains($0)
        }
    }

    /// Whether `version` is safe to put into URLs, file names and scripts, and has no `v` prefix
    /// (the catalog's URLs add it where the project uses one).
    static func isVersion(_ version: String) -> Bool {
        guard let first = version.unicodeScalars.first, first.isASCIIDigit else { return false }
        return version.unicodeScalars.allSatisfy {
            $0.isASCIILetter || $0.isASCIIDigit || ".-+".unicodeScalars.contains($0)
        }
    }

    /// Whether `digest` is 64 hexadecimal digits.
    static func isSHA256(_ digest: String) -> Bool {
        digest.utf8.count == 64 && digest.unicodeScalars.allSatisfy(\.isASCIIHexDigit)
    }
}
