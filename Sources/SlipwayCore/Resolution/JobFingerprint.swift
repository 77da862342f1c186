import Crypto

/// The fingerprint of a job instance: a SHA-256 over everything that changes what it does.
///
/// It covers the script, the merged variables, the image, the workdir, the secrets and OIDC
/// credentials it asks for (with the OIDC role or provider they come from), the files it produces,
/// and the pinned versions of the tools its script runs. It leaves out what only changes how or
/// when it runs: `paths`, `needs`, `timeout`, `retry`, `gate`, `description`. Each field is
/// written with its length before it, and unordered fields (variables, secrets, OIDC, tools) are
/// sorted, so the hash is stable across key order and Slipway versions and no two definitions
/// share one; the format's version is part of the input, so a future change of what is covered
/// shows as "definition changed" rather than colliding.
public enum JobFingerprint {
    /// The format version, part of the hashed input.
    public static let version = "slipway-fingerprint-1"

    /// The fingerprint of a definition, as 64 lowercase hex digits.
    static func compute(
        script: String, variables: [ResolvedVariable], image: String?, workdir: String?, secrets: [String],
        oidc: [OIDCProvider], configuration: OIDCConfiguration, produces: [String], tools: [PinnedTool]
    ) -> String {
        var input = Input()
        input.field("format", version)
        input.field("script", script)
        input.list("env", variables.sorted { $0.name < $1.name }.flatMap { [$0.name, $0.value] })
        input.field("image", image)
        input.field("workdir", workdir)
        input.list("secrets", Set(secrets).sorted())
        var credentials: [String] = []
        for provider in Set(oidc).sorted(by: { $0.rawValue < $1.rawValue }) {
            switch provider {
            case .aws:
                credentials += ["aws", configuration.aws?.role ?? "", configuration.aws?.region ?? ""]
            case .gcp:
                credentials += ["gcp", configuration.gcp?.provider ?? "", configuration.gcp?.serviceAccount ?? ""]
            }
        }
        input.list("oidc", credentials)
        input.list("produces", produces)
        input.list("tools", tools.sorted { $0.name < $1.name }.flatMap { [$0.name, $0.version] })
        return SHA256.hash(data: input.bytes).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined()
    }

    /// Length-prefixed fields: `name` `len:` bytes, so no value can run into the next.
    private struct Input {
        var bytes: [UInt8] = []

        mutating func field(_ name: String, _ value: String?) {
            bytes += Array(name.utf8) + [0x20]
            guard let value else {
                bytes += Array("-\n".utf8)
                return
            }
            bytes += Array("\(value.utf8.count):".utf8) + Array(value.utf8) + [0x0A]
        }

        mutating func list(_ name: String, _ values: [String]) {
            field(name, "\(values.count)")
            for value in values { field("-", value) }
        }
    }
}
