import Foundation
import SlipwayBundles
import SlipwayCore

/// Asks `init`'s questions on a terminal: each answer not given yet, with its default shown, then
/// again for each answer the bundle rejects.
struct Prompter<Answers: PresetAnswers> {
    let terminal: Terminal
    let seed: UInt64

    /// What went wrong while asking; printed by the caller.
    struct Stopped: Error {
        var problems: [AnswerProblem]
    }

    /// The answers, asked for where `given` has none; throws the problems that asking cannot fix
    /// (an unknown key in the answers file, input that ended).
    func ask(given: inout [String: GivenAnswer]) throws(Stopped) -> Answers {
        terminal.write("Answer each question; Enter takes the default in brackets.\n")
        // The keys are looked up again after each answer: one may add questions (a cluster each).
        var asked: Set<String> = []
        while let key = Answers.keys(given: given).first(where: {
            given[$0] == nil && !asked.contains($0) && Answers.applies($0, given: given)
        }) {
            asked.insert(key)
            try askOne(key, into: &given)
        }
        var lastProblems: [AnswerProblem] = []
        for _ in 0..<3 {
            do {
                return try Answers.resolve(given, clusterNameSeed: seed)
            } catch {
                lastProblems = error.all
            }
            let fixable = lastProblems.filter { Answers.keys(given: given).contains($0.key) }
            guard fixable.count == lastProblems.count else { throw Stopped(problems: lastProblems) }
            for problem in fixable {
                terminal.write(terminal.out.warning("\(problem.message)") + ": \(problem.hint)\n")
                given[problem.key] = nil
                try askOne(problem.key, into: &given)
            }
        }
        throw Stopped(problems: lastProblems)
    }

    /// The problem with the answer to `key` alone, if any (not the answers still to come).
    private func invalid(_ key: String, given: [String: GivenAnswer]) -> AnswerProblem? {
        do {
            _ = try Answers.resolve(given, clusterNameSeed: seed)
            return nil
        } catch {
            return error.all.first { problem in
                guard problem.key == key, case .invalid = problem.kind else { return false }
                return true
            }
        }
    }

    private func askOne(_ key: String, into given: inout [String: GivenAnswer]) throws(Stopped) {
        let fallback = Answers.defaultAnswer(key, given: given, clusterNameSeed: seed)
        let optional = Answers.isOptional(key)
        let shown = fallback.map { " [\($0)]" } ?? (optional ? " [none]" : "")
        for _ in 0..<3 {
            terminal.write("\(Answers.question(key))\(shown): ")
            guard let line = readLine(strippingNewline: true) else {
                terminal.write("\n")
                throw Stopped(problems: [
                    AnswerProblem(
                        key: key, kind: .missing,
                        hint: "the input ended; pass \(GivenAnswer.flag(for: key)) or use --answers FILE --yes")
                ])
            }
            let answer = line.trimmingCharacters(in: .whitespaces)
            if !answer.isEmpty {
                given[key] = GivenAnswer(answer)
                // Checked at once, so a mistake is fixed while the question is on screen.
                if let problem = invalid(key, given: given) {
                    terminal.write("  " + terminal.out.warning(problem.message) + ": \(problem.hint)\n")
                    given[key] = nil
                    continue
                }
                return
            }
            if let fallback {
                given[key] = GivenAnswer(fallback)
                return
            }
            if optional { return }
            terminal.write("  this one has no default; type an answer\n")
        }
        throw Stopped(problems: [
            AnswerProblem(
                key: key, kind: .missing, hint: "pass \(GivenAnswer.flag(for: key)), or answer it at the prompt")
        ])
    }

}
