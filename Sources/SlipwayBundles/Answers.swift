import Foundation
import SlipwayCore

/// What every preset's answers have in common, so that `init` reads, asks and reports them the same
/// way for each (`KKPAnswers`, `KOpsAnswers`).
public protocol PresetAnswers: Sendable {
    /// Every answer's key given the answers so far, in the order `init` asks them (a preset may add
    /// keys for what was answered, such as one per cluster).
    static func keys(given: [String: GivenAnswer]) -> [String]
    /// The default of the answer `key` given the others, as shown at a prompt; nil when it has none.
    static func defaultAnswer(_ key: String, given: [String: GivenAnswer], clusterNameSeed: UInt64) -> String?
    /// What `init` asks for `key` at a terminal prompt.
    static func question(_ key: String) -> String
    /// Whether `init` asks `key` at a prompt given the answers so far.
    static func applies(_ key: String, given: [String: GivenAnswer]) -> Bool
    /// Whether an empty answer at the prompt means "none" rather than "the default".
    static func isOptional(_ key: String) -> Bool
    /// The answers from `given` and the defaults; throws every problem with them at once.
    static func resolve(_ given: [String: GivenAnswer], clusterNameSeed: UInt64) throws(AnswerProblems) -> Self
}

/// Where a bundle's repository is hosted, which decides its CI platform.
public enum GitProvider: String, Hashable, Sendable, CaseIterable {
    /// github.com, GitLab (gitlab.com or self-hosted), or Bitbucket Cloud.
    case github, gitlab, bitbucket

    /// The generated CI file's path, as the generators write it.
    public var ciFile: String {
        switch self {
        case .github: return ".github/workflows/slipway.yml"
        case .gitlab: return ".gitlab-ci.yml"
        case .bitbucket: return "bitbucket-pipelines.yml"
        }
    }
}

/// An answer that is missing, not understood, or wrong.
public struct AnswerProblem: Hashable, Sendable {
    /// What is wrong with it.
    public enum Kind: Hashable, Sendable {
        /// No answer and no default.
        case missing
        /// The value is not what the key takes; `reason` says why.
        case invalid(value: String, reason: String)
        /// No such key; `suggestion` is the key meant, when it looks like a typo.
        case unknown(suggestion: String?)
    }

    /// The answer's key.
    public var key: String
    /// What is wrong.
    public var kind: Kind
    /// What to do about it.
    public var hint: String
    /// Where the answer was given, in an answers file.
    public var location: SourceLocation?

    /// Creates a problem.
    public init(key: String, kind: Kind, hint: String, location: SourceLocation? = nil) {
        self.key = key
        self.kind = kind
        self.hint = hint
        self.location = location
    }

    /// The problem as one sentence.
    public var message: String {
        switch kind {
        case .missing: return "no answer for '\(key)'"
        case .invalid(let value, let reason): return "'\(key)' is '\(value)': \(reason)"
        case .unknown(let suggestion):
            return "unknown answer '\(key)'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
        }
    }
}

/// A given answer: its text and, from an answers file, where it stands.
public struct GivenAnswer: Hashable, Sendable {
    /// The answer as written.
    public var value: String
    /// Where its value was written, in an answers file.
    public var location: SourceLocation?
    /// Where its key was written, in an answers file.
    public var keyLocation: SourceLocation?

    /// Creates a given answer.
    public init(_ value: String, at location: SourceLocation? = nil, key keyLocation: SourceLocation? = nil) {
        self.value = value
        self.location = location
        self.keyLocation = keyLocation ?? location
    }
}

extension GivenAnswer {
    /// How the answer `key` is given on the command line: its own flag, or `--answer` for a key of
    /// one cluster (`name@prod`).
    public static func flag(for key: String) -> String {
        key.contains("@") ? "--answer \(key)=VALUE" : "--\(key)"
    }
}

/// Every problem with the answers given, at once.
public struct AnswerProblems: Error, Hashable, Sendable {
    /// The problems, in the order the answers are asked.
    public var all: [AnswerProblem]

    /// Creates the problems.
    public init(all: [AnswerProblem]) {
        self.all = all
    }
}

/// Reads each answer with its default and check, and collects what is wrong.
struct AnswerResolver {
    let given: [String: GivenAnswer]
    var problems: [AnswerProblem] = []

    static let dnsName = "^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$"

    init(given: [String: GivenAnswer]) { self.given = given }

    static func flag(_ key: String) -> String { GivenAnswer.flag(for: key) }

    mutating func fail(_ key: String, _ value: String, _ reason: String, _ hint: String) {
        problems.append(
            AnswerProblem(
                key: key, kind: .invalid(value: value, reason: reason), hint: hint, location: given[key]?.location))
    }

    /// The answer or its default; with neither, a "missing" problem unless `quiet` (the default
    /// comes from another answer that is wrong, and that one is reported).
    mutating func value(_ key: String, default fallback: String?, hint: String, quiet: Bool = false) -> String? {
        if let answer = given[key] { return answer.value.trimmingCharacters(in: .whitespaces) }
        if let fallback { return fallback }
        if !quiet { problems.append(AnswerProblem(key: key, kind: .missing, hint: hint)) }
        return nil
    }

    mutating func text(
        _ key: String, default fallback: String?, pattern: String, reason: String, hint: String, quiet: Bool = false
    ) -> String? {
        guard
            let value = value(
                key, default: fallback, hint: "pass \(Self.flag(key)) or set it in the answers file; \(hint)",
                quiet: quiet)
        else { return nil }
        guard value.range(of: pattern, options: .regularExpression) != nil else {
            fail(key, value, reason, hint)
            return nil
        }
        return value
    }

    /// The IAM role CI assumes through OIDC, when one is given; `example` is the role's name in
    /// the hint.
    mutating func awsRole(example: String) -> String? {
        guard given["aws-role"] != nil else { return nil }
        return text(
            "aws-role", default: nil, pattern: "^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$",
            reason: "not an IAM role ARN",
            hint: "the ARN of the role CI assumes through OIDC, such as arn:aws:iam::123456789012:role/\(example)")
    }

    /// The repository's owner (`git-owner`, described by `ownerHint`) and name (`git-repository`).
    mutating func repository(ownerHint: String) -> (owner: String?, name: String?) {
        let owner = text(
            "git-owner", default: nil, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9._-]+)*$",
            reason: "not a user, organization or group name", hint: ownerHint)
        let name = text(
            "git-repository", default: nil, pattern: "^[A-Za-z0-9._-]+$", reason: "not a repository name",
            hint: "the repository's name, without the owner")
        return (owner, name)
    }

    mutating func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: String, _ type: Choice.Type, default fallback: Choice?
    ) -> Choice? where Choice.RawValue == String {
        let options = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        guard
            let value = value(key, default: fallback?.rawValue, hint: "pass \(Self.flag(key)) with one of: \(options)")
        else { return nil }
        guard let choice = Choice(rawValue: value.lowercased()) else {
            fail(key, value, "not one of \(options)", "pass \(Self.flag(key)) with one of: \(options)")
            return nil
        }
        return choice
    }

    mutating func number(_ key: String, default fallback: String?, range: ClosedRange<Int>) -> Int? {
        guard let value = value(key, default: fallback, hint: "pass \(Self.flag(key)) with a whole number") else {
            return nil
        }
        guard let number = Int(value), range.contains(number) else {
            fail(
                key, value, "not a whole number from \(range.lowerBound) to \(range.upperBound)",
                "for example \(fallback ?? String(range.lowerBound))")
            return nil
        }
        return number
    }

    mutating func flag(_ key: String, default fallback: String?) -> Bool? {
        guard let value = value(key, default: fallback, hint: "pass \(Self.flag(key)) true or false") else {
            return nil
        }
        switch value.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            fail(key, value, "not true or false", "write true or false")
            return nil
        }
    }

    mutating func email(_ key: String, default fallback: String?, quiet: Bool = false) -> String? {
        text(
            key, default: fallback, pattern: "^[^@\\s]+@([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$",
            reason: "not an e-mail address", hint: "such as admin@example.com", quiet: quiet)
    }

    /// The endpoint, with the wizard's two classic mistakes named.
    mutating func endpoint() -> String? {
        let hint = "the DNS name KKP answers at, such as kkp.example.com"
        guard
            let value = value("endpoint", default: nil, hint: "pass --endpoint or set it in the answers file; \(hint)")
        else { return nil }
        let bare = (value.components(separatedBy: "://").last ?? value).trimmingCharacters(
            in: CharacterSet(charactersIn: "/"))
        if value.contains("://") {
            fail("endpoint", value, "it has a scheme", "write only the name: \(bare)")
            return nil
        }
        if value.hasSuffix("/") {
            fail("endpoint", value, "it ends with a slash", "write it without the slash: \(bare)")
            return nil
        }
        guard value.lowercased() == value, value.range(of: AnswerResolver.dnsName, options: .regularExpression) != nil
        else {
            fail("endpoint", value, "not a lowercase DNS name", hint)
            return nil
        }
        return value
    }
}
