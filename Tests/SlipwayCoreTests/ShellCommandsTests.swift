import Foundation
import SlipwayCore
import SlipwayTesting
import Testing

@Suite struct ShellCommandsTests {
    @Test(arguments: [
        ("yamllint -s kubermatic flux kubeone", ["yamllint"]),
        ("terraform -chdir=\"$TF_ROOT\" init -input=false", ["terraform"]),
        ("FOO=1 BAR=\"x y\" terraform plan", ["terraform"]),
        ("echo \"$(helm version --short)\" | tee out", ["echo", "helm", "tee"]),
        ("VERSION=$(kubeone version)", ["kubeone"]),
        ("version=`kops version`", ["kops"]),
        ("# flux bootstrap\nkubectl apply -f x # sops -d", ["kubectl"]),
        ("cat <<'EOF' >x\nterraform apply\nkubeone apply\nEOF\nflux check", ["cat", "flux"]),
        ("cat <<EOF\nvalue: $(sops -d secret)\nEOF", ["cat", "sops"]),
        ("cat <<-EOF\n\tterraform\n\tEOF\nhelm lint", ["cat", "helm"]),
        ("if kubectl get ns flux-system; then\n  flux reconcile source git flux-system\nfi", ["kubectl", "flux"]),
        ("for tool in terraform kubeone; do echo \"$tool\"; done", ["echo"]),
        (
            "case \"$SLIPWAY_ENVIRONMENT\" in\n  prod|kops) kops update cluster ;;\n  *) echo skip ;;\nesac",
            ["kops", "echo"]
        ),
        ("env -i HOME=/x sops -d f", ["env", "sops"]),
        ("time terraform plan", ["terraform"]),
        ("time -p helm list", ["helm"]),
        ("timeout 5m kubectl wait --for=condition=Ready pod", ["timeout", "kubectl"]),
        ("find . -name '*.yaml' | xargs -n1 -I {} kubeconform {}", ["find", "xargs", "kubeconform"]),
        ("sudo -u root kubeadm reset", ["sudo", "kubeadm"]),
        ("exec terraform apply", ["exec", "terraform"]),
        ("command -v flux >/dev/null || curl -s https://x | bash", ["command", "flux", "curl", "bash"]),
        ("/usr/local/bin/terraform version", ["terraform"]),
        ("\"$TOOL\" version; $KUBECTL get pods", []),
        ("terraform \\\n  -chdir=x \\\n  plan", ["terraform"]),
        ("[[ -f kubeone.yaml ]] && kubeone apply", ["kubeone"]),
        ("(( retries += 1 )) || true", ["true"]),
        ("deploy() { helm upgrade --install x .; }\ndeploy", ["helm", "deploy"]),
        ("function check { kubectl get ns; }", ["kubectl"]),
        ("(cd terraform && terraform init) 2>&1 | tee log", ["cd", "terraform", "tee"]),
        ("ARGS=(plan -input=false kubeone)\nterraform \"${ARGS[@]}\"", ["terraform"]),
        ("echo kubeone > file.txt 2>&1 <input; ! flux check", ["echo", "flux"]),
        ("grep -q x file && sops -e -i f || helm x", ["grep", "sops", "helm"]),
        ("a=$(b=$(kubectl get x); echo \"$b\")", ["kubectl", "echo"]),
        ("'terraform' fmt && \"kubeone\" version", ["terraform", "kubeone"]),
        ("terraform output -json > kubeone/tf.json", ["terraform"]),
        ("echo done; done_with=1", ["echo"]),
    ])
    func commandsInCommandPosition(script: String, expected: [String]) {
        #expect(ShellCommands.names(in: script) == expected)
    }

    @Test func onlyBareNamesAreLookedUpOnPath() {
        let script = "./scripts/dns.sh && /usr/local/bin/terraform plan && kubectl get ns && scripts/x | tee log"
        #expect(ShellCommands.names(in: script) == ["dns.sh", "terraform", "kubectl", "x", "tee"])
        #expect(ShellCommands.lookedUp(in: script) == ["kubectl", "tee"])
    }

    /// Real bash runs exactly the commands the scanner finds.
    ///
    /// Every external command of the random scripts is a stub that records its name. Each script is built
    /// so that every command it contains runs, and tool names also appear as arguments, in
    /// comments, in here-documents and in `for` lists, where they must not count.
    @Test func agreesWithWhatBashRuns() throws {
        let directory = try TemporaryDirectory(prefix: "slipway-shell")
        defer { directory.remove() }
        let tools = ["terraform", "kubeone", "flux", "helm", "kubectl", "sops", "kops", "cat"]
        for tool in tools {
            try directory.writeExecutable(
                "bin/\(tool)", "#!/bin/bash\nprintf '%s\\n' \"${0##*/}\" >>\"$SLIPWAY_LOG\"\n")
        }
        var random = SeededGenerator(seed: 0x5348_454C)
        for round in 0..<150 {
            var script = ScriptBuilder(tools: tools, binDirectory: "\(directory.path)/bin", random: random)
            let text = script.list(depth: 2)
            random = script.random
            let log = "\(directory.path)/log-\(round)"
            FileManager.default.createFile(atPath: log, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["--noprofile", "--norc", "-euo", "pipefail", "-c", text]
            process.environment = ["PATH": "\(directory.path)/bin", "SLIPWAY_LOG": log]
            process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "bash failed (\(message)) on:\n\(text)")
            let ran = Set(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init))
            // Builtins (`command`) run without a stub; only the stubs can be seen running.
            let found = Set(ShellCommands.names(in: text)).intersection(tools)
            #expect(found == ran, "script:\n\(text)")
        }
    }
}

/// Random bash in which every command runs when the script runs.
private struct ScriptBuilder {
    let tools: [String]
    let binDirectory: String
    var random: SeededGenerator

    mutating func pick<T>(_ items: [T]) -> T { items.randomElement(using: &random)! }
    mutating func chance(_ oneIn: Int) -> Bool { Int.random(in: 0..<oneIn, using: &random) == 0 }

    mutating func name() -> String {
        let tool = pick(tools.filter { $0 != "cat" })
        switch Int.random(in: 0..<8, using: &random) {
        case 0: return "\"\(tool)\""
        case 1: return "'\(tool)'"
        case 2: return "\(binDirectory)/\(tool)"
        default: return tool
        }
    }

    /// A simple command; `time` is a keyword only at the start of a pipeline, so not after `|`.
    mutating func simple(depth: Int, afterPipe: Bool = false) -> String {
        var words: [String] = []
        // `command` takes no assignments after it; `time` does, and nothing may come before it.
        let wrapper = chance(8) ? pick(afterPipe ? ["command"] : ["command", "time"]) : nil
        if let wrapper { words.append(wrapper) }
        if wrapper != "command" {
            if chance(4) { words.append("FOO=\(pick(tools))") }
            if depth > 0 && chance(6) { words.append("OUT=\"$(\(simple(depth: depth - 1)))\"") }
        }
        words.append(name())
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            switch Int.random(in: 0..<6, using: &random) {
            case 0: words.append("-\(pick(["x", "-chdir=terraform", "n1"]))")
            case 1 where depth > 0: words.append("\"$(\(simple(depth: depth - 1)))\"")
            case 2 where depth > 0: words.append("`\(simple(depth: 0))`")
            default: words.append(pick(tools))
            }
        }
        if chance(5) { words.append(pick(["2>&1", ">/dev/null", "</dev/null", ">>/dev/null 2>/dev/null"])) }
        return words.joined(separator: " ")
    }

    mutating func compound(depth: Int) -> String {
        guard depth > 0 else { return simple(depth: 0) }
        let a = simple(depth: depth - 1)
        switch Int.random(in: 0..<14, using: &random) {
        case 0: return "\(a) | \(simple(depth: depth - 1, afterPipe: true))"
        case 1: return "\(a) && \(compound(depth: depth - 1))"
        case 2: return "\(a); \(simple(depth: depth - 1))"
        case 3: return "if \(a); then\n  \(compound(depth: depth - 1))\nfi"
        case 4: return "for item in \(pick(tools)) \(pick(tools)); do \(a); done"
        case 5:
            let word = pick(tools)
            return "case \(word) in\n  \(pick(tools))|\(word)) \(a) ;;\n  *) : ;;\nesac"
        case 6: return "{ \(a); }"
        case 7: return "( \(a) )"
        case 8: return "cat <<'EOF'\n\(pick(tools)) apply\n\(pick(tools))\nEOF\n\(a)"
        case 9: return "cat <<EOF >/dev/null\nvalue: $(\(simple(depth: 0)))\nEOF"
        case 10: return "\(a) \\\n  \(pick(tools)) # \(pick(tools))"
        case 11: return "[[ -n \(pick(tools)) ]] && \(a)"
        case 12: return "(( 1 + 1 )) && \(a)"
        default: return "! \(a)"
        }
    }

    mutating func list(depth: Int) -> String {
        var lines: [String] = []
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            if chance(6) { lines.append("# \(pick(tools)) \(pick(tools))") }
            lines.append(compound(depth: depth))
        }
        // `! cmd` ends with status 1 when cmd succeeds; the script itself must succeed.
        return lines.joined(separator: "\n") + "\n:\n"
    }
}
