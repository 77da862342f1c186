import Foundation
import SlipwayBundles
import SlipwayCore

/// `init --preset kkp --adopt`: reads a repository the KKP start wizard generated, writes
/// `slipway.yml`, `scripts/kkp.sh` and the CI file around it, removes or replaces the wizard's
/// pipeline file, and reports what it found, assumed and could not tell.
struct Adoption {
    let directory: String
    var given: [String: KKPAnswers.Given]
    /// Whether to ask, on a terminal, what the repository did not say.
    let interactive: Bool

    /// Files larger than this are not read: the wizard's files are small text files.
    static let largestFile = 1 << 20

    mutating func run(terminal: Terminal) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            terminal.printError(
                "\(directory) is not a directory", notes: ["name the repository the KKP start wizard generated"])
            throw ExitStatus.usage
        }
        let wizard: WizardRepository
        do {
            wizard = try WizardRepository.detect(readFiles())
        } catch {
            terminal.printError(
                "\(directory == "." ? "this directory" : directory) is not a repository the KKP start wizard generated",
                notes: error.missing.map { "missing: \($0)" } + [
                    "to start a new KKP repository instead: slipway init DIR --preset kkp"
                ])
            throw ExitStatus.usage
        }
        for key in given.keys.sorted() where !KKPAdoption.answerKeys.contains(key) {
            terminal.printWarning(
                "--adopt does not use --\(key)", notes: ["the repository's own files say it; change them there"])
        }
        if interactive { ask(what: wizard, terminal: terminal) }
        let adopted: [GeneratedFile]
        do {
            adopted = try InitFiles.withCI(
                try KKPAdoption.files(for: wizard, given: given), platform: wizard.git.platform)
        } catch let refusal as KKPAdoption.Refusal {
            report(wizard, terminal: terminal)
            terminal.printError(refusal.message, notes: refusal.notes)
            throw ExitStatus.usage
        } catch let failure as InitFiles.Failure {
            terminal.printError(failure.message, notes: failure.notes)
            throw ExitStatus.usage
        }
        report(wizard, terminal: terminal)
        // Two pipelines must never apply at once: the wizard's goes in the same change, replaced
        // where the generated file has its path (GitLab, Bitbucket), removed where it has not.
        try InitTarget(directory: directory).write(adopted, terminal: terminal, replacing: [wizard.pipelineFile])
        if adopted.contains(where: { $0.path == wizard.pipelineFile }) {
            terminal.write("replaced  \(wizard.pipelineFile): the wizard's pipeline (two must never apply at once)\n")
        } else if try FileWriter(root: directory).remove(wizard.pipelineFile) {
            terminal.write("removed   \(wizard.pipelineFile) (the wizard's pipeline: two must never apply at once)\n")
        }
        let secrets =
            adopted.first { $0.path == "slipway.yml" }
            .flatMap { SpecValidator.pipeline(text: $0.contents).pipeline?.spec.secrets } ?? []
        let environment = (wizard.fluxPath.map { ($0 as NSString).lastPathComponent }) ?? "master"
        let protection = [
            "github": "with required reviewers", "gitlab": "as a protected environment",
            "bitbucket": "with deployment permissions",
        ][wizard.git.rawValue]!
        var steps = [
            "the pipeline reads these secrets, under the names the wizard's used: \(secrets.joined(separator: ", "))",
            "create the environment \(environment) \(protection): every deploy now waits for one approval per run",
        ]
        if wizard.cloud == "aws" { steps.append("optional: OIDC instead of the static AWS keys (docs/init.md)") }
        let gitignore = (try? String(contentsOfFile: "\(directory)/.gitignore", encoding: .utf8)) ?? ""
        if !gitignore.contains(".slipway") {
            steps.append("add .slipway/ to .gitignore: local runs keep their logs and artifacts there")
        }
        steps.append(
            "slipway tools lock && slipway generate, then commit and push; the CI file's header says what else to set once"
        )
        terminal.write(
            "\n\(terminal.out.success("Adopted")) the wizard's repository: every Terraform, KubeOne, kubermatic and Flux file is unchanged.\n"
                + "Before you push:\n"
                + steps.enumerated().map { "  \($0.offset + 1). \($0.element)\n" }.joined())
    }

    /// Asks for each answer the pipeline needs that neither the repository nor a flag gave.
    mutating func ask(what wizard: WizardRepository, terminal: Terminal) {
        for (key, _) in KKPAdoption.unanswered(for: wizard, given: given) {
            terminal.write("\(KKPAnswers.question(key)): ")
            guard let line = readLine(strippingNewline: true) else { return }
            let answer = line.trimmingCharacters(in: .whitespaces)
            if !answer.isEmpty { given[key] = KKPAnswers.Given(answer) }
        }
    }

    /// The repository's text files, path → contents, without `.git`, `.slipway` and `.terraform`.
    func readFiles() -> [String: String] {
        var files: [String: String] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return files }
        while let path = enumerator.nextObject() as? String {
            let name = (path as NSString).lastPathComponent
            if [".git", ".slipway", ".terraform"].contains(name) {
                enumerator.skipDescendants()
                continue
            }
            let full = "\(directory)/\(path)"
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: full),
                attributes[.type] as? FileAttributeType == .typeRegular,
                (attributes[.size] as? Int ?? 0) <= Self.largestFile,
                let text = try? String(contentsOfFile: full, encoding: .utf8)
            else { continue }
            files[path] = text
        }
        // The clone's remotes, for the repository's owner and name.
        if let config = try? String(contentsOfFile: "\(directory)/.git/config", encoding: .utf8) {
            files[".git/config"] = config
        }
        return files
    }

    func report(_ wizard: WizardRepository, terminal: Terminal) {
        var text = "Found (\(wizard.pipelineFile)):\n"
        for note in wizard.found { text += "  \(note.subject): \(note.detail)\n" }
        if !wizard.assumed.isEmpty {
            text += "Assumed:\n"
            for note in wizard.assumed { text += "  \(note.subject): \(note.detail)\n" }
        }
        let open = wizard.unknown.filter { note in
            switch note.subject {
            case "repository": return given["git-owner"] == nil || given["git-repository"] == nil
            case "region": return given["region"] == nil
            case "KKP release": return given["kkp-version"] == nil
            default: return true
            }
        }
        if !open.isEmpty {
            text += "Could not tell:\n"
            for note in open { text += "  \(note.subject): \(note.detail)\n" }
        }
        terminal.write(text)
    }
}
