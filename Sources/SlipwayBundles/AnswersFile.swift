import SlipwayCore
import Yams

/// Reads an answers file (`init --answers FILE`): a YAML mapping of answer keys to scalars, each
/// answer remembered with where it stands so problems point at it.
public enum AnswersFile {
    /// The answers in `text` (the file `file`), and every problem with its shape.
    ///
    /// Values are taken as written (`true`, `5`, `kkp.example.com`); the bundle's resolver checks
    /// them. A key given twice, a nested value or a file that is not a mapping is a problem with a
    /// location; the other answers are still read.
    public static func read(_ text: String, file: String) -> (
        given: [String: GivenAnswer], problems: [AnswerProblem]
    ) {
        func location(_ mark: Yams.Mark?) -> SourceLocation? {
            mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) }
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            return ([:], [syntaxProblem(error, file: file)])
        } catch {
            return ([:], [fileProblem(file, reason: "\(error)", at: nil)])
        }
        guard let root else { return ([:], []) }
        if case .scalar(let scalar) = root, scalar.string.isEmpty { return ([:], []) }
        guard case .mapping(let mapping) = root else {
            return (
                [:],
                [
                    fileProblem(
                        file, reason: "it is not a mapping of answers", at: location(root.mark))
                ]
            )
        }
        var given: [String: GivenAnswer] = [:]
        var problems: [AnswerProblem] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode else {
                problems.append(
                    AnswerProblem(
                        key: "?", kind: .invalid(value: "\(keyNode)", reason: "an answer's key must be a plain name"),
                        hint: "write each answer as key: value, such as git: github",
                        location: location(keyNode.mark)))
                continue
            }
            if let earlier = given[key.string] {
                problems.append(
                    AnswerProblem(
                        key: key.string,
                        kind: .invalid(
                            value: valueNode.scalar?.string ?? "…",
                            reason: "it is given twice (first at line \(earlier.location?.line ?? 0))"),
                        hint: "keep one of the two", location: location(keyNode.mark)))
                continue
            }
            guard case .scalar(let value) = valueNode else {
                problems.append(
                    AnswerProblem(
                        key: key.string, kind: .invalid(value: "a list or mapping", reason: "it takes one value"),
                        hint: "write it as \(key.string): value", location: location(valueNode.mark)))
                continue
            }
            // An empty value (`route53-zone:`) is the same as leaving the answer out.
            if value.string.isEmpty || (value.style == .plain && value.string == "~") { continue }
            given[key.string] = GivenAnswer(
                value.string, at: location(valueNode.mark), key: location(keyNode.mark))
        }
        return (given, problems)
    }

    private static func fileProblem(_ file: String, reason: String, at location: SourceLocation?) -> AnswerProblem {
        AnswerProblem(
            key: "answers", kind: .invalid(value: file, reason: reason),
            hint: "the answers file is YAML: one 'key: value' per line, such as git: github",
            location: location ?? SourceLocation(file: file, line: 1, column: 1))
    }

    private static func syntaxProblem(_ error: YamlError, file: String) -> AnswerProblem {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return fileProblem(
                file, reason: "it is not valid YAML: \(problem)",
                at: SourceLocation(file: file, line: mark.line, column: mark.column))
        default:
            return fileProblem(file, reason: "it is not valid YAML: \(error)", at: nil)
        }
    }
}
