/// The commands a bash script runs: the words in command position, not any word.
///
/// `yamllint -s kubermatic flux kubeone` runs `yamllint` only, `FOO=1 terraform plan` runs
/// `terraform`, `echo "$(helm version)"` runs `echo` and `helm`, a here-document's body and a
/// comment run nothing, and wrappers (`env`, `sudo`, `time`, `timeout 5m`, `xargs -n1`, `exec`,
/// `command`, `nohup`, `nice`) run the command after their own options. A word with an
/// expansion in it (`$TOOL`) names no command that can be known without running the script; a
/// path (`/usr/local/bin/terraform`) names its last component. This is a scanner for the bash
/// that pipeline scripts are made of, not a full parser: it never fails, and on constructs it does
/// not model it errs towards finding fewer commands.
public enum ShellCommands {
    /// The command names `script` runs, each once, in order of first appearance.
    public static func names(in script: String) -> [String] {
        scan(script).names
    }

    /// The commands `script` runs by a bare name, which bash looks up on `PATH` (not
    /// `./scripts/dns.sh`), each once, in order of first appearance.
    public static func lookedUp(in script: String) -> [String] {
        scan(script).lookedUp
    }

    /// Both lists from one pass over `script`.
    static func scan(_ script: String) -> (names: [String], lookedUp: [String]) {
        var scanner = ShellScanner(bytes: Array(script.utf8))
        scanner.scanList(closing: nil)
        func once(_ list: [String]) -> [String] {
            var seen: Set<String> = []
            return list.filter { seen.insert($0).inserted }
        }
        return (once(scanner.names), once(scanner.lookedUp))
    }
}

private struct ShellToken {
    enum Kind: Equatable {
        case word
        /// `;` `;;` `;&` `;;&` `&` `&&` `|` `||` `|&` `(` `)`.
        case control(String)
        /// `<` `>` `>>` `<<` `<<-` `<<<` `<&` `>&` `&>` `&>>` `<>` `>|`, with any file descriptor.
        case redirection(String)
        case newline
        case end
    }

    var kind: Kind
    /// The word with quotes removed.
    var text = ""
    /// Whether the word contains a parameter, command or arithmetic expansion.
    var expands = false
    /// Whether any part of the word was quoted.
    var quoted = false
    /// Whether the word starts with an unquoted `NAME=`, `NAME+=` or `NAME[i]=`: an assignment
    /// when it stands where a command would.
    var assigns = false
}

private struct ShellScanner {
    let bytes: [UInt8]
    var index = 0
    var names: [String] = []
    /// The commands named without a `/`, which bash looks up on `PATH`.
    var lookedUp: [String] = []
    private var heredocs: [(delimiter: String, stripTabs: Bool, expands: Bool)] = []

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    static let keywordsBeforeCommand: Set<String> = [
        "if", "then", "elif", "else", "do", "while", "until", "!", "{", "time",
    ]
    static let keywordsAfterCommand: Set<String> = ["fi", "done", "}", "esac"]
    /// Commands that run the command named after their own options, and their options that take
    /// a separate argument.
    static let wrappers: [String: Set<String>] = [
        "command": [], "builtin": [], "exec": ["-a"], "nohup": [], "nice": ["-n"], "time": [],
        "env": ["-u", "-C", "-S"], "sudo": ["-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U"],
        "xargs": ["-I", "-n", "-P", "-L", "-s", "-d", "-E", "-a"], "timeout": ["-s", "-k"], "stdbuf": [],
    ]
    /// Wrappers that take positional arguments before the command (`timeout 5m cmd`).
    static let wrapperPositionals: [String: Int] = ["timeout": 1]

    private enum Mode {
        /// The next word names a command.
        case command
        /// Arguments of a command.
        case arguments
        /// A wrapper's options and positionals; the word after them names a command.
        case wrapper(name: String, positionalsLeft: Int, skipNext: Bool)
        /// The target of a redirection, then back to `resume`.
        case redirectTarget(resume: ResumeMode)
        /// `[[ … ]]` until its closing word.
        case conditional
        /// `case WORD` until `in`.
        case caseHeader
        /// `for NAME in …` or `select …` until the separator.
        case loopHeader
        /// A function's name after `function`.
        case functionName
    }

    private enum ResumeMode {
        case command, arguments
    }

    /// The `case` statements the scanner is inside: whether each is reading patterns.
    private var cases: [Bool] = []

    /// Scans commands until the end, or until an unmatched `)` when `closing` is `)` (a command
    /// substitution), consuming it.
    mutating func scanList(closing: UInt8?) {
        var mode = Mode.command
        var depth = 0
        while true {
            let token = next()
            switch token.kind {
            case .end:
                return
            case .newline:
                if case .redirectTarget = mode { mode = .command }
                if case .conditional = mode { continue }
                if case .caseHeader = mode { continue }
                mode = .command
            case .control(let op):
                if case .conditional = mode { continue }
                if op == ")" {
                    if let inPatterns = cases.last, inPatterns {
                        cases[cases.count - 1] = false
                        mode = .command
                        continue
                    }
                    if depth == 0, closing != nil { return }
                    depth = max(0, depth - 1)
                    mode = .arguments
                    continue
                }
                if op == "(" {
                    if let inPatterns = cases.last, inPatterns { continue }
                    depth += 1
                    mode = .command
                    continue
                }
                if op == "|", let inPatterns = cases.last, inPatterns { continue }
                if [";;", ";&", ";;&"].contains(op), !cases.isEmpty { cases[cases.count - 1] = true }
                mode = .command
            case .redirection(let op):
                if case .conditional = mode { continue }
                if op == "<<" || op == "<<-" {
                    let delimiter = next()
                    heredocs.append(
                        (
                            delimiter.text, op == "<<-",
                            !delimiter.quoted && !delimiter.text.contains("\\")
                        ))
                    continue
                }
                switch mode {
                case .command: mode = .redirectTarget(resume: .command)
                case .redirectTarget: break
                default: mode = .redirectTarget(resume: .arguments)
                }
            case .word:
                mode = word(token, mode: mode)
            }
        }
    }

    private mutating func word(_ token: ShellToken, mode: Mode) -> Mode {
        let text = token.text
        if let inPatterns = cases.last, inPatterns, !token.quoted {
            if text == "esac" {
                cases.removeLast()
                return .arguments
            }
            return mode
        }
        switch mode {
        case .redirectTarget(let resume):
            return resume == .command ? .command : .arguments
        case .conditional:
            return text == "]]" && !token.quoted ? .arguments : .conditional
        case .caseHeader:
            if text == "in" && !token.quoted {
                cases.append(true)
                return .command
            }
            return .caseHeader
        case .loopHeader, .arguments:
            return mode
        case .functionName:
            return .command
        case .wrapper(let name, let positionalsLeft, let skipNext):
            if skipNext { return .wrapper(name: name, positionalsLeft: positionalsLeft, skipNext: false) }
            if text.hasPrefix("-") && text.count > 1 && !token.quoted {
                let takesArgument = Self.wrappers[name]?.contains(text) ?? false
                return .wrapper(name: name, positionalsLeft: positionalsLeft, skipNext: takesArgument)
            }
            if name == "env" || name == "sudo", token.assigns { return mode }
            if positionalsLeft > 0 {
                return .wrapper(name: name, positionalsLeft: positionalsLeft - 1, skipNext: false)
            }
            return command(token)
        case .command:
            return command(token)
        }
    }

    /// A word in command position.
    private mutating func command(_ token: ShellToken) -> Mode {
        let text = token.text
        if token.assigns { return .command }
        if !token.quoted {
            // Keywords, and the options of `time -p`, leave the next word in command position.
            if Self.keywordsBeforeCommand.contains(text) || text.hasPrefix("-") { return .command }
            if Self.keywordsAfterCommand.contains(text) {
                if text == "esac", !cases.isEmpty { cases.removeLast() }
                return .arguments
            }
            switch text {
            case "[[": return .conditional
            case "case": return .caseHeader
            case "for", "select": return .loopHeader
            case "function": return .functionName
            default: break
            }
            if isFunctionDefinition() { return .command }
        }
        guard !token.expands, !text.isEmpty else { return .arguments }
        let name = text.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? text
        guard !name.isEmpty else { return .arguments }
        names.append(name)
        if name == text { lookedUp.append(name) }
        if Self.wrappers[name] != nil {
            return .wrapper(name: name, positionalsLeft: Self.wrapperPositionals[name] ?? 0, skipNext: false)
        }
        return .arguments
    }

    /// Whether the text before an assignment's `=` is a variable name (`NAME`, `NAME+`, `NAME[i]`).
    private static func isAssignmentName(_ text: String) -> Bool {
        var name = Substring(text)
        if name.hasSuffix("+") { name = name.dropLast() }
        if let bracket = name.firstIndex(of: "["), name.hasSuffix("]") { name = name[..<bracket] }
        guard let first = name.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    /// Whether `()` follows (a function definition `name() { … }`), consuming it.
    private mutating func isFunctionDefinition() -> Bool {
        var probe = index
        while probe < bytes.count, bytes[probe] == 0x20 || bytes[probe] == 0x09 { probe += 1 }
        guard probe < bytes.count, bytes[probe] == UInt8(ascii: "(") else { return false }
        probe += 1
        while probe < bytes.count, bytes[probe] == 0x20 || bytes[probe] == 0x09 { probe += 1 }
        guard probe < bytes.count, bytes[probe] == UInt8(ascii: ")") else { return false }
        index = probe + 1
        return true
    }

    // MARK: Tokens

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    private static func isMeta(_ byte: UInt8) -> Bool {
        isBlank(byte) || byte == 0x0A || ";&|<>()".utf8.contains(byte)
    }

    private mutating func next() -> ShellToken {
        while let byte = peek() {
            if Self.isBlank(byte) {
                index += 1
            } else if byte == UInt8(ascii: "\\"), peek(1) == 0x0A {
                index += 2
            } else if byte == UInt8(ascii: "#") {
                while let byte = peek(), byte != 0x0A { index += 1 }
            } else {
                break
            }
        }
        guard let byte = peek() else { return ShellToken(kind: .end) }
        if byte == 0x0A {
            index += 1
            readHeredocBodies()
            return ShellToken(kind: .newline)
        }
        if byte == UInt8(ascii: "("), peek(1) == UInt8(ascii: "(") {
            // `(( arithmetic ))` runs no command.
            skipBalanced(open: UInt8(ascii: "("), close: UInt8(ascii: ")"))
            return ShellToken(kind: .control(";"))
        }
        for op in [";;&", ";;", ";&", "&&", "||", "|&", "&>>", "&>", ";", "&", "|", "(", ")"] where matches(op) {
            index += op.utf8.count
            return op.hasPrefix("&>") ? ShellToken(kind: .redirection(op)) : ShellToken(kind: .control(op))
        }
        // A file descriptor number directly before a redirection belongs to it (`2>&1`).
        var probe = index
        while probe < bytes.count, bytes[probe] >= 0x30, bytes[probe] <= 0x39 { probe += 1 }
        if probe < bytes.count, bytes[probe] == UInt8(ascii: "<") || bytes[probe] == UInt8(ascii: ">") {
            let saved = index
            index = probe
            for op in ["<<<", "<<-", "<<", ">>", "<&", ">&", "<>", ">|", "<", ">"] where matches(op) {
                index += op.utf8.count
                return ShellToken(kind: .redirection(op))
            }
            index = saved
        }
        return readWord()
    }

    private func matches(_ op: String) -> Bool {
        var offset = 0
        for byte in op.utf8 {
            guard peek(offset) == byte else { return false }
            offset += 1
        }
        return true
    }

    private mutating func readWord() -> ShellToken {
        var token = ShellToken(kind: .word)
        var text: [UInt8] = []
        while let byte = peek(), !Self.isMeta(byte) {
            switch byte {
            case UInt8(ascii: "\\"):
                index += 1
                if let escaped = peek() {
                    if escaped != 0x0A { text.append(escaped) }
                    index += 1
                }
                token.quoted = true
            case UInt8(ascii: "'"):
                token.quoted = true
                index += 1
                while let inner = peek(), inner != UInt8(ascii: "'") {
                    text.append(inner)
                    index += 1
                }
                index += 1
            case UInt8(ascii: "\""):
                token.quoted = true
                index += 1
                while let inner = peek(), inner != UInt8(ascii: "\"") {
                    if inner == UInt8(ascii: "\\"), let escaped = peek(1) {
                        text.append(escaped)
                        index += 2
                    } else if inner == UInt8(ascii: "$") || inner == UInt8(ascii: "`") {
                        expansion()
                        token.expands = true
                    } else {
                        text.append(inner)
                        index += 1
                    }
                }
                index += 1
            case UInt8(ascii: "$"), UInt8(ascii: "`"):
                expansion()
                token.expands = true
            case UInt8(ascii: "="):
                if !token.quoted && !token.expands && !token.assigns {
                    token.assigns = Self.isAssignmentName(String(decoding: text, as: UTF8.self))
                }
                text.append(byte)
                index += 1
                // An array assignment, `NAME=(a b c)`: its elements are not commands.
                if peek() == UInt8(ascii: "(") {
                    skipBalanced(open: UInt8(ascii: "("), close: UInt8(ascii: ")"))
                }
            default:
                text.append(byte)
                index += 1
            }
        }
        token.text = String(decoding: text, as: UTF8.self)
        return token
    }

    /// Reads `$NAME`, `${…}`, `$((…))`, `$(…)` or `` `…` ``, scanning command substitutions for
    /// the commands they run.
    private mutating func expansion() {
        if peek() == UInt8(ascii: "`") {
            index += 1
            var inner: [UInt8] = []
            while let byte = peek(), byte != UInt8(ascii: "`") {
                if byte == UInt8(ascii: "\\"), let escaped = peek(1) {
                    inner.append(escaped)
                    index += 2
                } else {
                    inner.append(byte)
                    index += 1
                }
            }
            index += 1
            names += ShellCommands.names(in: String(decoding: inner, as: UTF8.self))
            return
        }
        index += 1  // `$`
        switch peek() {
        case UInt8(ascii: "("):
            if peek(1) == UInt8(ascii: "(") {
                skipBalanced(open: UInt8(ascii: "("), close: UInt8(ascii: ")"))
                return
            }
            index += 1
            var nested = ShellScanner(bytes: bytes)
            nested.index = index
            nested.scanList(closing: UInt8(ascii: ")"))
            names += nested.names
            index = nested.index
        case UInt8(ascii: "{"):
            skipBalanced(open: UInt8(ascii: "{"), close: UInt8(ascii: "}"))
        default:
            while let byte = peek(),
                byte == UInt8(ascii: "_") || (byte < 0x80 && Character(UnicodeScalar(byte)).isLetter)
                    || (byte >= 0x30 && byte <= 0x39)
            {
                index += 1
            }
            // Special parameters: `$?`, `$#`, `$@`, `$1`.
            if let byte = peek(), "?#@*!-$".utf8.contains(byte) { index += 1 }
        }
    }

    /// Skips from an opening byte to its matching closing byte.
    private mutating func skipBalanced(open: UInt8, close: UInt8) {
        var depth = 0
        while let byte = peek() {
            index += 1
            if byte == open {
                depth += 1
            } else if byte == close {
                depth -= 1
                if depth == 0 { return }
            }
        }
    }

    /// After a newline: skips the bodies of the here-documents its line started, scanning the
    /// command substitutions of those whose delimiter is unquoted.
    private mutating func readHeredocBodies() {
        let pending = heredocs
        heredocs.removeAll()
        for heredoc in pending {
            while index < bytes.count {
                var end = index
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                var line = bytes[index..<end]
                if heredoc.stripTabs { line = line.drop { $0 == 0x09 } }
                index = min(end + 1, bytes.count)
                if String(decoding: line, as: UTF8.self) == heredoc.delimiter { break }
                if heredoc.expands, line.contains(UInt8(ascii: "$")) || line.contains(UInt8(ascii: "`")) {
                    var substitutions = ShellScanner(bytes: Array(line))
                    substitutions.scanSubstitutions()
                    names += substitutions.names
                }
            }
        }
    }

    /// Scans only the command substitutions in text that is not itself commands.
    private mutating func scanSubstitutions() {
        while let byte = peek() {
            if byte == UInt8(ascii: "\\") {
                index += 2
            } else if byte == UInt8(ascii: "$") || byte == UInt8(ascii: "`") {
                expansion()
            } else {
                index += 1
            }
        }
    }
}
