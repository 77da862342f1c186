import Foundation

/// What is wrong with a line of an env-file.
///
/// It never carries the line's text: an env-file holds secrets, and a line that cannot be read
/// may be one.
public enum EnvFileProblem: Error, Hashable, Sendable, CustomStringConvertible {
    /// A line that is neither blank, a comment, nor `NAME=value`.
    case missingEquals(line: Int)
    /// The text before `=` is not a variable name.
    case invalidName(line: Int)
    /// A quoted value whose closing quote never comes; `line` is where it opened.
    case unterminatedQuote(line: Int, quote: String)
    /// Something other than a comment follows a quoted value's closing quote.
    case textAfterQuote(line: Int)

    /// The line the problem is on.
    public var line: Int {
        switch self {
        case .missingEquals(let line), .invalidName(let line), .unterminatedQuote(let line, _),
            .textAfterQuote(let line):
            return line
        }
    }

    public var description: String {
        switch self {
        case .missingEquals:
            return "this line is not NAME=value (no '=' in it)"
        case .invalidName:
            return "the text before '=' is not a variable name (letters, digits and '_', not starting with a digit)"
        case .unterminatedQuote(_, let quote):
            return "the value opened with \(quote) here is never closed"
        case .textAfterQuote:
            return "there is text after the closing quote (only a '# comment' may follow)"
        }
    }
}

/// Reads env-files (`--env-file`) the way dotenv tools do, so the files users already have work.
///
/// - `NAME=value` per line; blank lines and lines starting with `#` are skipped; `export NAME=value`
///   is accepted; spaces around `=` are ignored.
/// - Unquoted values end at the line's end or at ` #` (a comment), and are trimmed.
/// - `'single quotes'` keep everything literally; `"double quotes"` understand `\n`, `\r`, `\t`,
///   `\"`, `\\` and `\$` and keep any other backslash as it is. Both may span several lines, which
///   is how SSH keys and credential JSON are written.
/// - `$VARIABLES` are not expanded: a value is exactly what the file says.
/// - Windows line endings are read as plain newlines; a later definition of a name wins.
///
/// Every line that cannot be read is reported with its number, and nothing is guessed.
public enum EnvFile {
    /// The values `text` defines, in order, and the problems of the lines it could not read.
    public static func parse(_ text: String) -> (values: [(name: String, value: String)], problems: [EnvFileProblem]) {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        var values: [(name: String, value: String)] = []
        var problems: [EnvFileProblem] = []
        var index = 0
        while index < lines.count {
            let number = index + 1
            var line = lines[index].drop { $0 == " " || $0 == "\t" }
            index += 1
            if line.isEmpty || line.first == "#" { continue }
            if line.hasPrefix("export ") || line.hasPrefix("export\t") {
                line = line.dropFirst("export".count).drop { $0 == " " || $0 == "\t" }
            }
            guard let equals = line.firstIndex(of: "=") else {
                problems.append(.missingEquals(line: number))
                continue
            }
            let name = String(line[..<equals].trimmingTrailingBlanks())
            guard isName(name) else {
                problems.append(.invalidName(line: number))
                continue
            }
            let afterEquals = line[line.index(after: equals)...]
            let rest = afterEquals.drop { $0 == " " || $0 == "\t" }
            // `NAME= # comment` is an empty value, as in dotenv; `NAME=#x` is the value `#x`.
            if rest.first == "#" && rest.startIndex != afterEquals.startIndex {
                values.append((name, ""))
                continue
            }
            guard let quote = rest.first, quote == "\"" || quote == "'" else {
                values.append((name, unquoted(rest)))
                continue
            }
            // A quoted value runs to its closing quote, over as many lines as it takes.
            var body = String(rest.dropFirst())
            var closing = closingQuote(in: body, quote: quote)
            while closing == nil && index < lines.count {
                body += "\n" + lines[index]
                index += 1
                closing = closingQuote(in: body, quote: quote)
            }
            guard let closing else {
                problems.append(.unterminatedQuote(line: number, quote: String(quote)))
                continue
            }
            let after = body[body.index(after: closing)...].drop { $0 == " " || $0 == "\t" }
            guard after.isEmpty || after.first == "#" else {
                problems.append(.textAfterQuote(line: number))
                continue
            }
            let raw = body[..<closing]
            values.append((name, quote == "\"" ? unescaped(raw) : String(raw)))
        }
        return (values, problems)
    }

    private static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return text.unicodeScalars.allSatisfy {
            $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
    }

    /// An unquoted value: up to a ` #` comment, trimmed.
    private static func unquoted(_ text: Substring) -> String {
        var end = text.endIndex
        var previous: Character?
        for index in text.indices {
            if text[index] == "#", previous == " " || previous == "\t" {
                end = index
                break
            }
            previous = text[index]
        }
        return String(text[..<end].trimmingTrailingBlanks())
    }

    /// The index of the quote that closes `text`; in double quotes a backslash escapes the next character.
    private static func closingQuote(in text: String, quote: Character) -> String.Index? {
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == quote { return index }
            if quote == "\"" && character == "\\" {
                index = text.index(after: index)
                if index == text.endIndex { return nil }
            }
            index = text.index(after: index)
        }
        return nil
    }

    private static func unescaped(_ text: Substring) -> String {
        var result = ""
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            guard character == "\\", let next = iterator.next() else {
                result.append(character)
                continue
            }
            switch next {
            case "n": result.append("\n")
            case "r": result.append("\r")
            case "t": result.append("\t")
            case "\"", "\\", "$": result.append(next)
            default:
                result.append("\\")
                result.append(next)
            }
        }
        return result
    }
}

extension Substring {
    fileprivate func trimmingTrailingBlanks() -> Substring {
        var result = self
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
