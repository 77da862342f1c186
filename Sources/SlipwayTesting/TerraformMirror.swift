import Foundation

/// The machine's filesystem mirror of the hashicorp/aws provider, which tests install Terraform's
/// provider from (the registry is not reachable here).
public enum TerraformMirror {
    /// No mirror was found; `candidates` are the places looked in.
    public struct Missing: Error, CustomStringConvertible {
        /// Where the mirror was looked for.
        public let candidates: [String]
        public var description: String {
            "no filesystem mirror of hashicorp/aws in \(candidates); set SLIPWAY_TERRAFORM_PLUGIN_MIRROR"
        }
    }

    /// Writes `cli.tfrc`, which installs the aws provider from the mirror only, into `directory`.
    ///
    /// Returns its path, for `TF_CLI_CONFIG_FILE`.
    public static func configuration(in directory: TemporaryDirectory) throws -> String {
        let candidates = [
            ProcessInfo.processInfo.environment["SLIPWAY_TERRAFORM_PLUGIN_MIRROR"], "/opt/tf-plugins",
            "\(NSHomeDirectory())/.terraform.d/plugins", "/usr/share/terraform/plugins",
        ].compactMap { $0 }
        guard
            let mirror = candidates.first(where: {
                FileManager.default.fileExists(atPath: "\($0)/registry.terraform.io/hashicorp/aws")
            })
        else { throw Missing(candidates: candidates) }
        try directory.write(
            "cli.tfrc",
            """
            provider_installation {
              filesystem_mirror {
                path    = "\(mirror)"
                include = ["registry.terraform.io/hashicorp/aws"]
              }
              direct {
                exclude = ["registry.terraform.io/hashicorp/aws"]
              }
            }

            """)
        return "\(directory.path)/cli.tfrc"
    }
}
