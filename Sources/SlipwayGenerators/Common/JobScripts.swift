import SlipwayCore

/// Script fragments shared by the generators: tool checks, artifact packaging and verification.
///
/// Each returns bash text that `shellcheck` accepts; the GitHub generator uses them as steps, the
/// GitLab and Bitbucket generators inline them into each job's script.
enum JobScripts {
    /// Fails unless `tool` is on `PATH` and reports `version`.
    static func toolCheck(_ tool: String, version: String) -> String {
        """
        if ! command -v \(tool) >/dev/null; then
          echo "error: slipway.yml pins \(tool) \(version), but this runner has no \(tool); install it in the job's image or runner" >&2
          exit 1
        fi
        found=$(\(tool) \(ToolVersionCommand.arguments(for: tool)) 2>&1 || true)
        if [[ "$found" != *\(ChangeDetectionScript.singleQuoted(version))* ]]; then
          echo "error: slipway.yml pins \(tool) \(version), but the runner has: $found" >&2
          exit 1
        fi

        """
    }

    /// The tools of `spec` that `job`'s script runs, with their pinned versions.
    static func tools(of job: Job, in spec: Spec) -> Variables {
        spec.tools.filter { ToolVersionCommand.uses($0.name, in: job.run) }
    }

    /// Where a producer's checksum manifest lives in the workspace.
    static func manifestPath(_ instance: JobInstance) -> String {
        ".slipway/artifacts/\(instance.slug).sha256"
    }

    /// Writes the SHA-256 of every produced file to the manifest, and appends the manifest's own
    /// digest to `digestFile` as `NAME=digest` (a dotenv line the platform hands to consumers).
    static func recordChecksums(_ instance: JobInstance, digestVariable: String, digestFile: String) -> String {
        let files = instance.job.produces.map(ChangeDetectionScript.singleQuoted).joined(separator: " ")
        let manifest = manifestPath(instance)
        return """
            mkdir -p .slipway/artifacts
            sha256sum -- \(files) >\(manifest)
            echo "\(digestVariable)=$(sha256sum <\(manifest) | cut -d ' ' -f 1)" >>\(digestFile)

            """
    }

    /// Verifies a producer's files against its manifest, and the manifest against the digest the
    /// platform passed on, before the consumer uses them; names the producer when anything differs.
    static func verifyChecksums(_ producer: JobInstance, digestVariable: String) -> String {
        let manifest = manifestPath(producer)
        return """
            if [[ -n "${\(digestVariable):-}" ]]; then
              if [[ ! -f \(manifest) ]] || [[ "$(sha256sum <\(manifest) | cut -d ' ' -f 1)" != "$\(digestVariable)" ]]; then
                echo "error: the checksums \(producer.id) recorded are missing or altered; re-run the pipeline from \(producer.id)" >&2
                exit 1
              fi
              if ! sha256sum --quiet -c \(manifest); then
                echo "error: a file \(producer.id) produced was altered (see the FAILED line above); re-run the pipeline from \(producer.id)" >&2
                exit 1
              fi
            fi

            """
    }
}
