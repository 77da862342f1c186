import ArgumentParser
import Crypto
import Foundation
import SlipwayBundles
import SlipwayCore
import SlipwayGenerators

/// The presets `init` knows.
enum Preset: String, ExpressibleByArgument, CaseIterable {
    case kkp, kops
}

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a new platform repository: infrastructure, cluster, platform, GitOps and its pipeline.",
        discussion: """
            --preset kkp writes the Kubermatic KKP repository the KKP start wizard wrote,
            done better: Terraform for the control plane, KubeOne, the KKP installer's
            configuration, Route53 records, Flux manifests, README.md, slipway.yml and the
            CI file for the chosen Git provider.

            Every answer comes from its flag, from an answers file (--answers, YAML: the
            flags' names without the dashes as keys), or from a prompt on a terminal that
            shows the default. Flags win over the file. With --yes, or without a
            terminal, defaults are taken and every missing or invalid answer is listed at
            once (exit 2).

            --preset kops writes a kOps repository: one cluster template, a values
            file per cluster, and a pipeline that dry-runs pull requests against a
            private copy of each cluster's state and deploys the clusters one after
            another, in promotion order, through their gates.

            --adopt instead reads a repository the KKP start wizard generated
            and writes the pipeline around its files, which stay unchanged; the
            wizard's pipeline file is replaced.

            init writes only into an empty directory (a .git folder is fine). --force
            writes into one that is not empty, but never overwrites a file it did not
            write itself; nothing is written when one would be.

            Examples:
              slipway init platform --preset kkp --git github --cloud aws
              slipway init --preset kkp --answers answers.yml --yes
              slipway init --preset kkp --adopt --git-owner acme --git-repository platform
              slipway init clusters --preset kops --git gitlab --dns-zone k8s.example.com \\
                --state-store s3://acme-kops-state --git-owner acme --git-repository clusters \\
                --answer region@prod=us-east-1 --yes
              slipway init platform --preset kkp --git gitlab --cloud aws \\
                --endpoint kkp.example.com --admin-email admin@example.com \\
                --git-owner acme --git-repository platform --yes
            """
    )

    @Argument(help: ArgumentHelp("The repository's directory; created when missing.", valueName: "dir"))
    var directory: String = "."

    @Option(help: "What to set up: kkp or kops.")
    var preset: Preset

    @Option(help: ArgumentHelp("A YAML file of answers (keys as the flags, without dashes).", valueName: "file"))
    var answers: String?

    @Flag(name: .shortAndLong, help: "Take the defaults; ask nothing.")
    var yes = false

    @Flag(help: "Write into a non-empty directory (never over a file init did not write).")
    var force = false

    @Flag(help: "Bring a repository the KKP start wizard generated onto Slipway.")
    var adopt = false

    @Option(help: .hidden)
    var seed: UInt64?

    @Flag(name: .customLong("no-color"), help: "Never colour output (NO_COLOR does the same).")
    var noColor = false

    @Option(help: "Where the repository is hosted: github, gitlab or bitbucket.") var git: String?
    @Option(help: "The cloud: aws or gcp.") var cloud: String?
    @Option(help: "The cluster's name (default: a generated one).") var clusterName: String?
    @Option(help: "Kubernetes version (default 1.31.4).") var kubernetesVersion: String?
    @Option(help: "Fewest worker nodes (default 2).") var autoscalerMin: String?
    @Option(help: "Most worker nodes (default 5).") var autoscalerMax: String?
    @Option(help: "The cloud region (default eu-central-1).") var region: String?
    @Option(help: "Worker instance type (default t3.xlarge).") var workerType: String?
    @Option(help: "Control-plane instance type (default t3.large).") var controlPlaneType: String?
    @Option(help: "KKP release tag (default v2.27.1).") var kkpVersion: String?
    @Option(help: "KKP's DNS name, such as kkp.example.com.") var endpoint: String?
    @Option(help: "The KKP admin's e-mail.") var adminEmail: String?
    @Option(help: "E-mail for Let's Encrypt (default: the admin's).") var issuerEmail: String?
    @Option(help: "Install monitoring: true or false (default false).") var monitoring: String?
    @Option(help: "Install logging: true or false (default false).") var logging: String?
    @Option(help: "Install alerting: true or false (default false).") var alerting: String?
    @Option(help: "E-mail domain allowed to sign in (default: the admin's).") var allowedEmailDomain: String?
    @Option(help: "The first KKP project (default platform).") var projectName: String?
    @Option(help: "The seed datacenter's name (default <cloud>-<region>).") var datacenter: String?
    @Option(help: "AWS: the Route53 zone the endpoint lives in; enables dns-update.") var route53Zone: String?
    @Option(help: "GCP: the project id.") var gcpProject: String?
    @Option(help: "GCP: the workload identity provider CI authenticates through (default: a key).")
    var gcpWorkloadIdentityProvider: String?
    @Option(help: "GCP: the service account CI impersonates through workload identity.")
    var gcpServiceAccount: String?
    @Option(help: "AWS: the IAM role CI assumes through OIDC (default: static keys).") var awsRole: String?
    @Option(help: "The repository's owner: user, organization or group.") var gitOwner: String?
    @Option(help: "The repository's name.") var gitRepository: String?
    @Option(help: "Whether the owner is a personal account: true or false (default false).") var gitPersonal: String?
    @Option(help: "A self-hosted Git server's hostname.") var gitHostname: String?
    @Option(help: "kOps: the clusters' environments in promotion order (default dev,staging,prod).")
    var clusters: String?
    @Option(help: "kOps: the Route53 zone the clusters' names live in.") var dnsZone: String?
    @Option(help: "kOps: the state store, s3://bucket[/prefix].") var stateStore: String?
    @Option(help: "kOps: the kOps release (default 1.31.0).") var kopsVersion: String?
    @Option(help: "kOps: environments whose deploys wait for an approval (default: all but the first).")
    var gated: String?
    @Option(
        name: .customLong("answer"),
        help: ArgumentHelp(
            "Any answer as key=value, such as a cluster's own region@prod=us-east-1 (repeatable).",
            valueName: "key=value"))
    var extraAnswers: [String] = []

    /// The answers given as flags, by key.
    var flagAnswers: [String: String] {
        let pairs: [(String, String?)] = [
            ("git", git), ("cloud", cloud), ("cluster-name", clusterName), ("kubernetes-version", kubernetesVersion),
            ("autoscaler-min", autoscalerMin), ("autoscaler-max", autoscalerMax), ("region", region),
            ("worker-type", workerType), ("control-plane-type", controlPlaneType), ("kkp-version", kkpVersion),
            ("endpoint", endpoint), ("admin-email", adminEmail), ("issuer-email", issuerEmail),
            ("monitoring", monitoring), ("logging", logging), ("alerting", alerting),
            ("allowed-email-domain", allowedEmailDomain), ("project-name", projectName), ("datacenter", datacenter),
            ("route53-zone", route53Zone), ("gcp-project", gcpProject),
            ("gcp-workload-identity-provider", gcpWorkloadIdentityProvider), ("gcp-service-account", gcpServiceAccount),
            ("aws-role", awsRole),
            ("git-owner", gitOwner), ("git-repository", gitRepository), ("git-personal", gitPersonal),
            ("git-hostname", gitHostname), ("clusters", clusters), ("dns-zone", dnsZone), ("state-store", stateStore),
            ("kops-version", kopsVersion), ("gated", gated),
        ]
        var answers = Dictionary(uniqueKeysWithValues: pairs.compactMap { key, value in value.map { (key, $0) } })
        for answer in extraAnswers {
            guard let equals = answer.firstIndex(of: "=") else { continue }
            answers[String(answer[..<equals])] = String(answer[answer.index(after: equals)...])
        }
        return answers
    }

    func validate() throws {
        if let wrong = extraAnswers.first(where: { !$0.contains("=") || $0.hasPrefix("=") }) {
            throw ValidationError("--answer takes key=value, such as region@prod=us-east-1; got '\(wrong)'")
        }
    }

    func run() throws {
        let terminal = Terminal(noColor: noColor)
        if adopt {
            guard preset == .kkp else {
                terminal.printError(
                    "--adopt brings a repository the KKP start wizard generated onto Slipway; kops has none to adopt",
                    notes: ["leave out --adopt to write a new kOps repository"])
                throw ExitStatus.usage
            }
            var adoption = Adoption(
                directory: directory, given: flagAnswers.mapValues { GivenAnswer($0) },
                interactive: !yes && isatty(STDIN_FILENO) == 1)
            return try adoption.run(terminal: terminal)
        }
        let target = InitTarget(directory: directory)
        if let refusal = target.refusal(force: force) {
            terminal.printError(refusal.message, notes: refusal.notes)
            throw ExitStatus.usage
        }
        let seed = seed ?? UInt64.random(in: .min ... .max)
        let files: [GeneratedFile]
        let wrote: String
        let ciFile: String
        do {
            switch preset {
            case .kkp:
                let answers = try resolve(KKPAnswers.self, seed: seed, terminal: terminal)
                files = try InitFiles.kkp(answers, seed: seed)
                wrote =
                    "the KKP repository for \(answers.clusterName) at \(answers.endpoint) (\(answers.git.rawValue), \(answers.cloud.rawValue))"
                ciFile = answers.git.ciFile
            case .kops:
                let answers = try resolve(KOpsAnswers.self, seed: seed, terminal: terminal)
                files = try InitFiles.kops(answers)
                let names = answers.clusters.map { "\($0.environment) (\($0.name))" }.joined(separator: " → ")
                wrote = "the kOps repository for \(names) (\(answers.git.rawValue))"
                ciFile = answers.git.ciFile
            }
        } catch let error as InitFiles.Failure {
            terminal.printError(error.message, notes: error.notes)
            throw ExitStatus.usage
        }
        try target.write(files, terminal: terminal)
        terminal.write(
            """

            \(terminal.out.success("Wrote")) \(wrote) in \(target.displayName).
            Next:
              1. create the secrets README.md lists (never commit them)
              2. slipway tools lock && slipway generate    # record the tools' digests (needs network)
              3. commit and push; \(ciFile)'s header says what to set up once

            """)
    }

    /// The answers from the answers file, the flags and (on a terminal) prompts; prints every
    /// problem and throws when they cannot be resolved.
    func resolve<Answers: PresetAnswers>(_ type: Answers.Type, seed: UInt64, terminal: Terminal) throws -> Answers {
        var given: [String: GivenAnswer] = [:]
        var problems: [AnswerProblem] = []
        if let answers {
            guard let text = try? String(contentsOfFile: answers, encoding: .utf8) else {
                terminal.printError(
                    "cannot read the answers file \(answers)",
                    notes: ["check the path; it is read relative to the current directory"])
                throw ExitStatus.usage
            }
            (given, problems) = AnswersFile.read(text, file: answers)
        }
        for (key, value) in flagAnswers { given[key] = GivenAnswer(value) }

        let interactive = !yes && isatty(STDIN_FILENO) == 1
        var resolved: Answers?
        if interactive {
            // A broken answers file is said before any question is asked.
            if problems.isEmpty {
                do {
                    resolved = try Prompter<Answers>(terminal: terminal, seed: seed).ask(given: &given)
                } catch {
                    problems = error.problems
                }
            }
        } else {
            // Every problem at once: the answers file's own, then the answers'.
            do {
                resolved = try Answers.resolve(given, clusterNameSeed: seed)
            } catch {
                // An answer the file already got wrong is reported once.
                let reported = Set(problems.map(\.key))
                problems += error.all.filter { !reported.contains($0.key) }
            }
        }
        guard let resolved, problems.isEmpty else {
            report(problems, terminal: terminal, interactive: interactive)
            throw ExitStatus.usage
        }
        return resolved
    }

    /// Prints every answer problem, located where the answers file gave it.
    func report(_ problems: [AnswerProblem], terminal: Terminal, interactive: Bool) {
        for problem in problems {
            var text = ""
            if let location = problem.location { text += terminal.err.bold("\(location):") + " " }
            text += terminal.err.error("error:") + " " + terminal.err.bold(problem.message) + "\n"
            text += terminal.err.note("note:") + " \(problem.hint)\n"
            terminal.writeError(text)
        }
        let count = problems.count
        terminal.writeError(
            "init wrote nothing: \(count) answer\(count == 1 ? " needs" : "s need") fixing"
                + (interactive || yes ? "" : " (no terminal to ask on, so defaults were taken)") + ".\n")
    }
}

/// The files of a preset: the bundle's, plus the CI file generated from its `slipway.yml` exactly
/// as `slipway generate` would.
enum InitFiles {
    /// Why the files could not be made; a bug in Slipway rather than in the answers.
    struct Failure: Error {
        var message: String
        var notes: [String]
    }

    static func kkp(_ answers: KKPAnswers, seed: UInt64) throws -> [GeneratedFile] {
        let files: [GeneratedFile]
        do {
            files = try KKPBundle.repository(answers, seed: seed)
        } catch .missingResource(let name) {
            throw Failure(
                message: "slipway's KKP bundle is broken: \(name)",
                notes: ["this is a packaging bug; report it with `slipway --version`"])
        }
        return try withCI(files, platform: answers.git.platform)
    }

    static func kops(_ answers: KOpsAnswers) throws -> [GeneratedFile] {
        let files: [GeneratedFile]
        do {
            files = try KOpsBundle.repository(answers)
        } catch .missingResource(let name) {
            throw Failure(
                message: "slipway's kOps bundle is broken: \(name)",
                notes: ["this is a packaging bug; report it with `slipway --version`"])
        }
        return try withCI(files, platform: answers.git.platform)
    }

    /// A diagnostic about the bundle's own output as one line: where, then what.
    private static func located(_ diagnostic: Diagnostic) -> String {
        (diagnostic.location.map { "\($0): " } ?? "") + diagnostic.message
    }

    /// `files` and the CI file `slipway generate` writes for `platform` from their `slipway.yml`.
    static func withCI(_ files: [GeneratedFile], platform: Platform) throws -> [GeneratedFile] {
        guard let spec = files.first(where: { $0.path == "slipway.yml" }) else {
            throw Failure(message: "slipway's bundle has no slipway.yml", notes: ["report it"])
        }
        let result = SpecValidator.pipeline(text: spec.contents, file: "slipway.yml")
        guard let pipeline = result.pipeline else {
            let errors = result.diagnostics.filter { $0.severity == .error }.map(located)
            throw Failure(
                message: "slipway's bundle wrote a slipway.yml slipway rejects", notes: errors + ["report it"])
        }
        do {
            return files + (try Generators.generate(platform, pipeline))
        } catch {
            throw Failure(
                message: "slipway cannot generate CI for its own bundle",
                notes: error.diagnostics.map(located) + ["report it"])
        }
    }
}

extension KKPAnswers.Git {
    /// The CI platform of the Git provider.
    var platform: Platform {
        switch self {
        case .github: return .github
        case .gitlab: return .gitlab
        case .bitbucket: return .bitbucket
        }
    }
}

/// The directory `init` writes into, and what it remembers of what it wrote there.
struct InitTarget {
    let directory: String

    var displayName: String { directory == "." ? "the current directory" : directory }

    /// Where init records what it wrote (path → SHA-256), so a later `--force` may replace those
    /// files and only those.
    var record: String { "\(directory)/.slipway/init.json" }

    /// Why init must not write here; nil when it may.
    func refusal(force: Bool) -> (message: String, notes: [String])? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else {
            return ("\(directory) is a file, not a directory", ["name a new or empty directory"])
        }
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
            $0 != ".git" && $0 != ".slipway"
        }
        if entries.isEmpty || force { return nil }
        return (
            "\(directory) is not empty: init writes a new repository",
            [
                "name a new or empty directory",
                "--force writes into it, but never over a file init did not write",
                "--adopt brings a repository the KKP start wizard generated onto Slipway",
            ]
        )
    }

    /// Writes `files`, or nothing when one of them would replace a file init did not write (other
    /// than those in `replacing`, which it is meant to replace).
    func write(_ files: [GeneratedFile], terminal: Terminal, replacing: Set<String> = []) throws {
        let recorded =
            (try? JSONDecoder().decode([String: String].self, from: Data(contentsOf: URL(fileURLWithPath: record))))
            ?? [:]
        var foreign: [String] = []
        for file in files {
            let path = "\(directory)/\(file.path)"
            guard let existing = FileManager.default.contents(atPath: path) else { continue }
            if existing == Data(file.contents.utf8) { continue }
            if recorded[file.path] != Self.digest(existing), !replacing.contains(file.path) {
                foreign.append(file.path)
            }
        }
        if !foreign.isEmpty {
            terminal.printError(
                "init would replace \(foreign.count) file\(foreign.count == 1 ? "" : "s") it did not write; it wrote nothing",
                notes: foreign.map { "\(directory)/\($0) exists and differs" } + [
                    "move them aside, or write the repository into a new directory and compare"
                ])
            throw ExitStatus.usage
        }
        let outcomes = try FileWriter(root: directory).write(files)
        var written = recorded
        for file in files { written[file.path] = Self.digest(Data(file.contents.utf8)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try FileManager.default.createDirectory(
            atPath: "\(directory)/.slipway", withIntermediateDirectories: true)
        try encoder.encode(written).write(to: URL(fileURLWithPath: record), options: .atomic)
        for (path, outcome) in outcomes {
            let label = outcome == .unchanged ? "unchanged" : outcome == .created ? "created  " : "updated  "
            terminal.write("\(label) \(path)\n")
        }
    }

    static func digest(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
