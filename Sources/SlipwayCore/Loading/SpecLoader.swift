import Foundation
import Yams

/// The outcome of loading a spec: the model when the file could be read as one, and every problem.
public struct LoadResult: Sendable {
    /// The spec, when the text was YAML with the right overall shape; `nil` otherwise.
    public var spec: Spec?
    /// Every problem found while reading, in the order found.
    public var diagnostics: [Diagnostic]
}

/// Reads `slipway.yml` from the YAML node tree, keeping every position for diagnostics.
///
/// Loading never stops at the first problem: a bad value is reported and skipped, and the rest of
/// the file is still read, so one `validate` run shows everything that needs fixing.
public struct SpecLoader: Sendable {
    private let reader: any FileReading

    /// Creates a loader that reads through `reader`.
    public init(reader: any FileReading = DiskFileReader()) {
        self.reader = reader
    }

    /// Reads and loads the spec at `path`; `displayName` is the name diagnostics use.
    public func load(path: String, displayName: String? = nil) -> LoadResult {
        let file = displayName ?? path
        do {
            let text = try reader.readText(at: path)
            return load(text: text, file: file)
        } catch {
            let reason = "\(error)"
            return LoadResult(
                spec: nil, diagnostics: [Diagnostic(.unreadableFile(path: file, reason: reason), at: nil)])
        }
    }

    /// Loads a spec from its text; `file` is the name diagnostics use.
    public func load(text: String, file: String) -> LoadResult {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            return LoadResult(spec: nil, diagnostics: [Self.diagnostic(for: error, file: file)])
        } catch {
            return LoadResult(spec: nil, diagnostics: [Diagnostic(.yamlSyntax(problem: "\(error)"), at: nil)])
        }
        guard let root, !Self.isNull(root) else {
            return LoadResult(
                spec: nil, diagnostics: [Diagnostic(.emptyFile, at: SourceLocation(file: file, line: 1, column: 1))])
        }
        var decoder = NodeDecoder(file: file)
        let spec = decoder.decodeSpec(root)
        return LoadResult(spec: spec, diagnostics: decoder.diagnostics)
    }

    private static func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node { return scalar.isNull }
        return false
    }

    private static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        func location(_ mark: Yams.Mark) -> SourceLocation {
            SourceLocation(file: file, line: mark.line, column: mark.column)
        }
        switch error {
        case .scanner(let context?, _, _, let yaml) where context.text == "while scanning an alias":
            // `paths: [*.tf]`: libyaml reads an unquoted glob as an alias and fails on its name.
            return Diagnostic(.undefinedAlias(name: aliasName(at: context.mark, in: yaml)), at: location(context.mark))
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text) at line \($0.mark.line))" } ?? problem
            return Diagnostic(.yamlSyntax(problem: detail), at: location(mark))
        case .composer(_, let problem, let mark, let yaml):
            if problem == "found undefined alias" {
                return Diagnostic(.undefinedAlias(name: aliasName(at: mark, in: yaml)), at: location(mark))
            }
            return Diagnostic(.yamlSyntax(problem: problem), at: location(mark))
        case .reader(let problem, _, _, _):
            return Diagnostic(.yamlSyntax(problem: problem), at: nil)
        default:
            return Diagnostic(.yamlSyntax(problem: "\(error)"), at: nil)
        }
    }

    /// The alias name that starts at `mark` (`*.tf` gives `.tf`).
    private static func aliasName(at mark: Yams.Mark, in yaml: String) -> String {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line - 1 < lines.count else { return "" }
        let scalars = Array(lines[mark.line - 1].unicodeScalars.dropFirst(mark.column))
        let stop: Set<Unicode.Scalar> = [" ", ",", "]", "}", "\t", "\r"]
        return String(String.UnicodeScalarView(scalars.prefix { !stop.contains($0) }))
    }
}

/// Walks the node tree, building the model and collecting diagnostics.
private struct NodeDecoder {
    let file: String
    var diagnostics: [Diagnostic] = []
    var sourceMap: SourceMap

    init(file: String) {
        self.file = file
        self.sourceMap = SourceMap(file: file)
    }

    // MARK: The spec

    mutating func decodeSpec(_ root: Node) -> Spec? {
        guard let entries = mapping(root, path: [], context: "the spec", known: SpecKeys.topLevel) else { return nil }
        var spec = Spec()
        var sawVersion = false
        var sawJobs = false
        for entry in entries {
            let path = [entry.key]
            switch entry.key {
            case "version":
                sawVersion = true
                if let text = scalarText(entry.value, context: "'version'") {
                    if text == "1" {
                        spec.version = 1
                    } else {
                        report(.unsupportedVersion(found: text), at: entry.value)
                    }
                }
            case "name":
                spec.name = scalarText(entry.value, context: "'name'")
            case "platforms":
                spec.platforms = stringList(entry.value, path: path, context: "'platforms'").compactMap { item in
                    if let platform = Platform(rawValue: item.value) { return platform }
                    let suggestion = Suggestion.closest(to: item.value, in: Platform.allCases.map(\.rawValue))
                    report(.unknownPlatform(platform: item.value, suggestion: suggestion), at: item.node)
                    return nil
                }
                reportDuplicates(spec.platforms.map(\.rawValue), entry.value, context: "'platforms'")
            case "defaultBranch":
                if let branch = scalarText(entry.value, context: "'defaultBranch'") {
                    if Naming.isBranchName(branch) {
                        spec.defaultBranch = branch
                    } else {
                        report(
                            .invalidValue(
                                context: "'defaultBranch'", value: branch,
                                expected:
                                    "a branch name such as main or release/v2: letters, digits, '/', '.', '-' and '_'"),
                            at: entry.value)
                    }
                }
            case "repository":
                if let repository = scalarText(entry.value, context: "'repository'") {
                    if Naming.isRepositoryPath(repository) {
                        spec.repository = repository
                    } else {
                        report(
                            .invalidValue(
                                context: "'repository'", value: repository,
                                expected:
                                    "the repository's path as the platform shows it, such as acme/platform or acme/infra/platform"
                            ),
                            at: entry.value)
                    }
                }
            case "env":
                spec.env = variables(entry.value, path: path, context: "'env'")
            case "secrets":
                let items = stringList(entry.value, path: path, context: "'secrets'")
                for item in items where !Naming.isVariableName(item.value) {
                    report(.invalidName(name: item.value, kind: "secret", rule: Naming.variableRule), at: item.node)
                }
                spec.secrets = items.map(\.value)
                reportDuplicates(spec.secrets, entry.value, context: "'secrets'")
            case "schedule":
                let items = stringList(entry.value, path: path, context: "'schedule'")
                for item in items where item.value.split(separator: " ", omittingEmptySubsequences: true).count != 5 {
                    report(
                        .invalidValue(
                            context: "'schedule'", value: item.value, expected: "a cron expression with five fields"),
                        at: item.node)
                }
                spec.schedule = items.map(\.value)
            case "tools":
                spec.tools = tools(entry.value)
            case "oidc":
                spec.oidc = oidc(entry.value)
            case "environments":
                spec.environments = environments(entry.value)
            case "jobs":
                sawJobs = true
                spec.jobs = jobs(entry.value)
            default:
                break
            }
        }
        if !sawVersion { report(.missingKey(key: "version", context: "the spec"), at: root) }
        if !sawJobs { report(.missingKey(key: "jobs", context: "the spec"), at: root) }
        spec.sourceMap = sourceMap
        return spec
    }

    // MARK: Tools

    mutating func tools(_ node: Node) -> [ToolPin] {
        guard let entries = mapping(node, path: ["tools"], context: "'tools'", known: nil) else { return [] }
        var pins: [ToolPin] = []
        for entry in entries {
            if let pin = tool(entry.key, entry.keyNode, entry.value) { pins.append(pin) }
        }
        return pins
    }

    /// One entry of `tools`: `terraform: 1.11.4`, or the long form with `version` and more.
    mutating func tool(_ name: String, _ keyNode: Node, _ node: Node) -> ToolPin? {
        let path = ["tools", name]
        let context = "tool '\(name)'"
        if !ToolPinRules.isCommandName(name) {
            report(.invalidName(name: name, kind: "tool", rule: ToolPinRules.nameRule), at: keyNode)
            return nil
        }
        var pin = ToolPin(name: name, version: "")
        var sawVersion = false
        var declaresURL = false
        if case .scalar = node {
            guard let version = toolVersion(node, context: context) else { return nil }
            pin.version = version
            sawVersion = true
        } else {
            guard let fields = mapping(node, path: path, context: context, known: SpecKeys.tool) else { return nil }
            for field in fields {
                let fieldContext = "'\(field.key)' of \(context)"
                switch field.key {
                case "version":
                    guard let version = toolVersion(field.value, context: context) else { return nil }
                    pin.version = version
                    sawVersion = true
                case "sha256":
                    pin.sha256 = digests(field.value, path: path + ["sha256"], context: fieldContext)
                case "url":
                    declaresURL = true
                    pin.url = template(field.value, context: fieldContext, requireHTTPS: true)
                case "checksums":
                    pin.checksums = template(field.value, context: fieldContext, requireHTTPS: true)
                case "binary":
                    pin.binary = template(field.value, context: fieldContext, requireHTTPS: false)
                    if let binary = pin.binary, binary.hasPrefix("/") || binary.split(separator: "/").contains("..") {
                        report(
                            .invalidValue(
                                context: fieldContext, value: binary,
                                expected: "a path inside the archive, without '..' or a leading '/'"),
                            at: field.value)
                        pin.binary = nil
                    }
                case "versionArgs":
                    pin.versionArgs = stringList(field.value, path: path + ["versionArgs"], context: fieldContext)
                        .flatMap { $0.value.split(separator: " ").map(String.init) }
                case "replacements":
                    let entries = variables(
                        field.value, path: path + ["replacements"], context: fieldContext, namesAreVariables: false)
                    // They fill `{os}` and `{arch}` in `binary` too: a path there must stay inside
                    // the archive.
                    for (from, to) in entries where to.contains("/") || to.contains("..") || to.isEmpty {
                        report(
                            .invalidValue(
                                context: "'\(from)' of \(fieldContext)", value: to,
                                expected: "a spelling such as x86_64, without '/' or '..'"),
                            atKey: path + ["replacements", from])
                    }
                    pin.replacements = Dictionary(
                        entries.filter { !$0.value.contains("/") && !$0.value.contains("..") && !$0.value.isEmpty },
                        uniquingKeysWith: { first, _ in first })
                default:
                    break
                }
            }
            if !sawVersion {
                report(.missingKey(key: "version", context: context), at: node)
                return nil
            }
        }
        let recipe = ToolCatalog.recipe(for: name)
        if recipe == nil, !declaresURL {
            let suggestion = Suggestion.closest(to: name, in: ToolCatalog.names)
            report(.unknownTool(tool: name, suggestion: suggestion), at: keyNode)
            return nil
        }
        guard let recipe else { return pin.url == nil ? nil : pin }
        if pin.url == nil {
            for platform in pin.sha256.keys.sorted() where !recipe.platforms.contains(platform) {
                report(
                    .toolNotPublished(tool: name, platform: platform.key, published: recipe.platforms.map(\.key)),
                    atKey: path + ["sha256", platform.key])
            }
        }
        return pin
    }

    mutating func toolVersion(_ node: Node, context: String) -> String? {
        guard let version = scalarText(node, context: "the version of \(context)") else { return nil }
        guard ToolPinRules.isVersion(version) else {
            report(
                .invalidValue(context: "the version of \(context)", value: version, expected: ToolPinRules.versionRule),
                at: node)
            return nil
        }
        return version
    }

    mutating func digests(_ node: Node, path: [String], context: String) -> [ToolPlatform: String] {
        let keys = ToolPlatform.all.map(\.key)
        guard let entries = mapping(node, path: path, context: context, known: keys) else { return [:] }
        var digests: [ToolPlatform: String] = [:]
        for entry in entries {
            guard let platform = ToolPlatform(key: entry.key),
                let digest = scalarText(entry.value, context: "'\(entry.key)' of \(context)")
            else { continue }
            guard ToolPinRules.isSHA256(digest) else {
                report(
                    .invalidValue(
                        context: "'\(entry.key)' of \(context)", value: digest,
                        expected: "a SHA-256: 64 hexadecimal digits"),
                    at: entry.value)
                continue
            }
            digests[platform] = digest.lowercased()
        }
        return digests
    }

    mutating func template(_ node: Node, context: String, requireHTTPS: Bool) -> String? {
        guard let text = scalarText(node, context: context) else { return nil }
        let unknown = ToolTemplate.unknownPlaceholders(in: text)
        if !unknown.isEmpty {
            report(
                .invalidValue(
                    context: context, value: text,
                    expected: "a template whose only placeholders are {version}, {os} and {arch}"),
                at: node)
            return nil
        }
        if requireHTTPS, !text.hasPrefix("https://") {
            report(.invalidValue(context: context, value: text, expected: "an https:// URL"), at: node)
            return nil
        }
        return text
    }

    mutating func oidc(_ node: Node) -> OIDCConfiguration {
        var configuration = OIDCConfiguration()
        guard let entries = mapping(node, path: ["oidc"], context: "'oidc'", known: SpecKeys.oidc) else {
            return configuration
        }
        for entry in entries {
            let keys = entry.key == "aws" ? SpecKeys.oidcAWS : SpecKeys.oidcGCP
            let context = "'oidc.\(entry.key)'"
            guard let fields = mapping(entry.value, path: ["oidc", entry.key], context: context, known: keys) else {
                continue
            }
            var values: [String: String] = [:]
            for field in fields {
                if let text = scalarText(field.value, context: "'\(field.key)' of \(context)") {
                    values[field.key] = text
                }
            }
            for key in keys where !fields.contains(where: { $0.key == key }) {
                report(.missingKey(key: key, context: context), at: entry.value)
            }
            if entry.key == "aws", let role = values["role"], let region = values["region"] {
                configuration.aws = (role, region)
            } else if entry.key == "gcp", let provider = values["provider"], let account = values["serviceAccount"] {
                configuration.gcp = (provider, account)
            }
        }
        return configuration
    }

    mutating func environments(_ node: Node) -> [Environment] {
        guard let items = sequence(node, context: "'environments'") else { return [] }
        var result: [Environment] = []
        for (index, item) in items.enumerated() {
            // `- dev` is shorthand for `- name: dev`.
            if case .scalar = item {
                guard let name = scalarText(item, context: "an environment") else { continue }
                record(["environments", name], item)
                if checkName(name, kind: "environment", at: item) { result.append(Environment(name: name)) }
                continue
            }
            let context = "environment #\(index + 1)"
            guard
                let entries = mapping(
                    item, path: ["environments", "#\(index)"], context: context, known: SpecKeys.environment)
            else { continue }
            guard let nameEntry = entries.first(where: { $0.key == "name" }),
                let name = scalarText(nameEntry.value, context: "'name' of \(context)")
            else {
                if !entries.contains(where: { $0.key == "name" }) {
                    report(.missingKey(key: "name", context: context), at: item)
                }
                continue
            }
            guard checkName(name, kind: "environment", at: nameEntry.value) else { continue }
            record(["environments", name], nameEntry.value)
            var environment = Environment(name: name)
            for entry in entries {
                switch entry.key {
                case "gate": environment.gate = gate(entry.value, context: "environment '\(name)'")
                case "env":
                    environment.env = variables(
                        entry.value, path: ["environments", name, "env"], context: "'env' of environment '\(name)'")
                default: break
                }
            }
            result.append(environment)
        }
        var seen: Set<String> = []
        for environment in result where !seen.insert(environment.name).inserted {
            report(
                .duplicateEntry(value: environment.name, context: "'environments'"),
                atPath: ["environments", environment.name])
        }
        return result
    }

    mutating func jobs(_ node: Node) -> [Job] {
        guard let entries = mapping(node, path: ["jobs"], context: "'jobs'", known: nil) else { return [] }
        var result: [Job] = []
        for entry in entries {
            guard checkName(entry.key, kind: "job", at: entry.keyNode) else { continue }
            if let job = job(named: entry.key, entry.value) { result.append(job) }
        }
        return result
    }

    mutating func job(named name: String, _ node: Node) -> Job? {
        let base = ["jobs", name]
        let context = "job '\(name)'"
        guard let entries = mapping(node, path: base, context: context, known: SpecKeys.job) else { return nil }
        var job = Job(name: name, run: "")
        var sawRun = false
        for entry in entries {
            let path = base + [entry.key]
            let keyContext = "'\(entry.key)' of job '\(name)'"
            switch entry.key {
            case "run":
                sawRun = true
                job.run = scalarText(entry.value, context: keyContext) ?? ""
            case "on":
                job.on = stringList(entry.value, path: path, context: keyContext).compactMap { item in
                    if let event = Event(rawValue: item.value) { return event }
                    let suggestion = Suggestion.closest(to: item.value, in: Event.allCases.map(\.rawValue))
                    report(.unknownEvent(job: name, event: item.value, suggestion: suggestion), at: item.node)
                    return nil
                }
                reportDuplicates(job.on.map(\.rawValue), entry.value, context: keyContext)
            case "paths":
                job.paths = stringList(entry.value, path: path, context: keyContext).map(\.value)
            case "needs":
                job.needs = stringList(entry.value, path: path, context: keyContext).map(\.value)
                reportDuplicates(job.needs, entry.value, context: keyContext)
            case "mutates":
                job.mutates = bool(entry.value, context: keyContext) ?? false
            case "environment":
                if let value = scalarText(entry.value, context: keyContext) {
                    job.environment = value == "each" ? .each : .named(value)
                }
            case "gate":
                job.gate = gate(entry.value, context: context)
            case "secrets":
                job.secrets = stringList(entry.value, path: path, context: keyContext).map(\.value)
                reportDuplicates(job.secrets, entry.value, context: keyContext)
            case "oidc":
                job.oidc = stringList(entry.value, path: path, context: keyContext).compactMap { item in
                    if let provider = OIDCProvider(rawValue: item.value) { return provider }
                    report(.invalidValue(context: keyContext, value: item.value, expected: "aws or gcp"), at: item.node)
                    return nil
                }
                reportDuplicates(job.oidc.map(\.rawValue), entry.value, context: keyContext)
            case "produces":
                job.produces = stringList(entry.value, path: path, context: keyContext).map(\.value)
            case "timeout":
                if let text = scalarText(entry.value, context: keyContext) {
                    if let seconds = DurationParser.seconds(from: text) {
                        job.timeout = seconds
                    } else {
                        report(.invalidDuration(context: keyContext, value: text), at: entry.value)
                    }
                }
            case "retry":
                if let count = integer(entry.value, context: keyContext) {
                    if (0...10).contains(count) {
                        job.retry = count
                    } else {
                        report(
                            .invalidValue(
                                context: keyContext, value: "\(count)", expected: "a whole number from 0 to 10"),
                            at: entry.value)
                    }
                }
            case "env":
                job.env = variables(entry.value, path: path, context: keyContext)
            case "workdir":
                job.workdir = scalarText(entry.value, context: keyContext)
                if let workdir = job.workdir, workdir.hasPrefix("/") || workdir.split(separator: "/").contains("..") {
                    report(
                        .invalidValue(context: keyContext, value: workdir, expected: "a path inside the repository"),
                        at: entry.value)
                }
            case "image":
                job.image = scalarText(entry.value, context: keyContext)
            case "description":
                job.description = scalarText(entry.value, context: keyContext)
            case "when":
                if let value = scalarText(entry.value, context: keyContext) {
                    if value == "with-needs" {
                        job.onlyWithNeeds = true
                    } else {
                        report(
                            .invalidValue(context: keyContext, value: value, expected: "with-needs"), at: entry.value)
                    }
                }
            default:
                break
            }
        }
        if !sawRun {
            report(.missingRun(job: name), atKey: base)
        } else if job.run.allSatisfy(\.isWhitespace) {
            report(.missingRun(job: name), atPath: base + ["run"])
        }
        return job
    }

    // MARK: Typed values

    /// The entries of a mapping, after reporting duplicates and unknown keys (`known == nil`
    /// accepts any key, as under `jobs`).
    mutating func mapping(_ node: Node, path: [String], context: String, known: [String]?) -> [(
        key: String, keyNode: Node, value: Node
    )]? {
        guard case .mapping(let mapping) = node else {
            report(.wrongType(context: context, expected: "a mapping", found: describe(node)), at: node)
            return nil
        }
        record(path, node)
        var result: [(key: String, keyNode: Node, value: Node)] = []
        var firstSeen: [String: SourceLocation] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                report(
                    .wrongType(context: "a key in \(context)", expected: "a plain name", found: describe(keyNode)),
                    at: keyNode)
                continue
            }
            let key = scalar.string
            if let first = firstSeen[key] {
                report(.duplicateKey(key: key, firstDefinition: first), at: keyNode)
                continue
            }
            firstSeen[key] = location(keyNode)
            if let known, !known.contains(key) {
                let suggestion = Suggestion.closest(to: key, in: known)
                report(.unknownKey(key: key, context: context, suggestion: suggestion, known: known), at: keyNode)
                continue
            }
            sourceMap.recordKey(path + [key], location(keyNode))
            record(path + [key], value)
            result.append((key, keyNode, value))
        }
        return result
    }

    mutating func sequence(_ node: Node, context: String) -> [Node]? {
        if case .sequence(let sequence) = node { return Array(sequence) }
        report(.wrongType(context: context, expected: "a list", found: describe(node)), at: node)
        return nil
    }

    /// A list of strings; a single string stands for a list of one (`on: push`).
    mutating func stringList(_ node: Node, path: [String], context: String) -> [(value: String, node: Node)] {
        let items: [Node]
        switch node {
        case .scalar: items = [node]
        case .sequence(let sequence): items = Array(sequence)
        case .mapping:
            report(.wrongType(context: context, expected: "a list of strings", found: describe(node)), at: node)
            return []
        }
        var result: [(value: String, node: Node)] = []
        for (index, item) in items.enumerated() {
            guard let text = scalarText(item, context: "an entry of \(context)") else { continue }
            if text.isEmpty {
                report(
                    .invalidValue(context: "an entry of \(context)", value: text, expected: "a non-empty string"),
                    at: item)
                continue
            }
            record(path + ["\(index)"], item)
            result.append((text, item))
        }
        return result
    }

    /// The text of a scalar that is not null; numbers and booleans keep their spelling.
    mutating func scalarText(_ node: Node, context: String) -> String? {
        guard case .scalar(let scalar) = node, !scalar.isNull else {
            report(.wrongType(context: context, expected: "a string", found: describe(node)), at: node)
            return nil
        }
        return scalar.string
    }

    mutating func bool(_ node: Node, context: String) -> Bool? {
        if case .scalar(let scalar) = node, scalar.style == .plain {
            switch scalar.string {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        report(.wrongType(context: context, expected: "true or false", found: describe(node)), at: node)
        return nil
    }

    mutating func integer(_ node: Node, context: String) -> Int? {
        if case .scalar(let scalar) = node, scalar.style == .plain, let value = Int(scalar.string) { return value }
        report(.wrongType(context: context, expected: "a whole number", found: describe(node)), at: node)
        return nil
    }

    mutating func gate(_ node: Node, context: String) -> Gate? {
        guard let text = scalarText(node, context: "'gate' of \(context)") else { return nil }
        if let gate = Gate(rawValue: text) { return gate }
        report(.unknownGate(context: context, value: text), at: node)
        return nil
    }

    /// `NAME: value` pairs; values may be strings, numbers or booleans, kept as written.
    mutating func variables(_ node: Node, path: [String], context: String, namesAreVariables: Bool = true) -> Variables
    {
        guard let entries = mapping(node, path: path, context: context, known: nil) else { return [] }
        var result: Variables = []
        for entry in entries {
            if namesAreVariables, !Naming.isVariableName(entry.key) {
                report(.invalidName(name: entry.key, kind: "variable", rule: Naming.variableRule), at: entry.keyNode)
                continue
            }
            guard case .scalar = entry.value,
                let value = scalarText(entry.value, context: "'\(entry.key)' in \(context)")
            else {
                if case .scalar = entry.value {
                } else {
                    report(
                        .wrongType(
                            context: "'\(entry.key)' in \(context)", expected: "a string", found: describe(entry.value)),
                        at: entry.value)
                }
                continue
            }
            result.append((entry.key, value))
        }
        return result
    }

    // MARK: Helpers

    mutating func checkName(_ name: String, kind: String, at node: Node) -> Bool {
        guard Naming.isName(name) else {
            report(.invalidName(name: name, kind: kind, rule: Naming.nameRule), at: node)
            return false
        }
        return true
    }

    mutating func reportDuplicates(_ values: [String], _ node: Node, context: String) {
        var seen: Set<String> = []
        var reported: Set<String> = []
        for value in values where !seen.insert(value).inserted && reported.insert(value).inserted {
            report(.duplicateEntry(value: value, context: context), at: node)
        }
    }

    func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    mutating func record(_ path: [String], _ node: Node) {
        sourceMap.recordValue(path, location(node))
    }

    mutating func report(_ kind: DiagnosticKind, at node: Node) {
        diagnostics.append(Diagnostic(kind, at: location(node)))
    }

    mutating func report(_ kind: DiagnosticKind, atKey path: [String]) {
        diagnostics.append(Diagnostic(kind, at: sourceMap.key(path)))
    }

    mutating func report(_ kind: DiagnosticKind, atPath path: [String]) {
        diagnostics.append(Diagnostic(kind, at: sourceMap.value(path)))
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            if scalar.style != .plain { return "the string '\(scalar.string)'" }
            switch node.tag.description {
            case Tag.Name.null.rawValue: return "nothing"
            case Tag.Name.bool.rawValue: return "the boolean '\(scalar.string)'"
            case Tag.Name.int.rawValue, Tag.Name.float.rawValue: return "the number \(scalar.string)"
            default: return "the string '\(scalar.string)'"
            }
        }
    }
}

/// The naming rules for jobs, environments and variables.
enum Naming {
    static let nameRule = "names start with a letter and use letters, digits, '-' and '_'"
    static let variableRule = "variable names start with a letter or '_' and use letters, digits and '_'"

    static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCIILetter else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" || $0 == "_" }
    }

    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
    }

    /// Whether `text` is a branch name git accepts and every generated file can quote: segments of
    /// letters, digits, '.', '-' and '_' joined by '/', none starting with '.' or '-' or ending
    /// in '.lock', and no '..'.
    static func isBranchName(_ text: String) -> Bool {
        let segments = text.split(separator: "/", omittingEmptySubsequences: false)
        return !text.contains("..")
            && segments.allSatisfy { segment in
                guard let first = segment.unicodeScalars.first, first != ".", first != "-" else { return false }
                return !segment.hasSuffix(".lock")
                    && segment.unicodeScalars.allSatisfy {
                        $0.isASCIILetter || $0.isASCIIDigit || $0 == "." || $0 == "-" || $0 == "_"
                    }
            }
    }

    /// Whether `text` is a repository path: two or more segments of letters, digits, '.', '-' and
    /// '_' joined by '/', none of them '.' or '..'; safe in a YAML string, a CI expression and a
    /// bash word.
    static func isRepositoryPath(_ text: String) -> Bool {
        let segments = text.split(separator: "/", omittingEmptySubsequences: false)
        return segments.count >= 2
            && segments.allSatisfy { segment in
                !segment.isEmpty && segment != "." && segment != ".."
                    && segment.unicodeScalars.allSatisfy {
                        $0.isASCIILetter || $0.isASCIIDigit || $0 == "." || $0 == "-" || $0 == "_"
                    }
            }
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    var isASCIIHexDigit: Bool { isASCIIDigit || ("a"..."f").contains(self) || ("A"..."F").contains(self) }
}

extension Node.Scalar {
    /// Whether YAML reads this scalar as null: a plain `~`, `null` or nothing.
    ///
    /// Checked by hand because resolving `Node.tag` runs Yams' regular expressions for every scalar.
    fileprivate var isNull: Bool {
        guard style == .plain else { return false }
        switch string {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }
}
