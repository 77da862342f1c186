import SlipwayCore

/// Script fragments shared by the generators: tool checks, artifact packaging and verification.
///
/// Each returns bash text that `shellcheck` accepts; the GitHub generator uses them as steps, the
/// GitLab and Bitbucket generators inline them into each job's script.
enum JobScripts {
    /// Runs the job's script (in `$SLIPWAY_SCRIPT`) in its workdir with `bash -euo pipefail`,
    /// up to 1 + `retry` times for a non-mutating job, and exits when the last attempt fails.
    static func runScript(_ instance: JobInstance) -> String {
        let attempts = instance.attempts
        let directory = instance.workdir.map(ChangeDetectionScript.singleQuoted) ?? "."
        let run = "(cd -- \(directory) && bash --noprofile --norc -euo pipefail -c \"$SLIPWAY_SCRIPT\")"
        if attempts == 1 { return run + "\n" }
        return """
            for attempt in $(seq 1 \(attempts)); do
              if \(run); then break; fi
              if ((attempt == \(attempts))); then exit 1; fi
              echo "\(instance.id): attempt $attempt of \(attempts) failed; retrying" >&2
            done

            """
    }

    /// The variable that carries a producer's checksum manifest digest to its consumers.
    static func digestVariable(_ instance: JobInstance, in pipeline: Pipeline) -> String {
        "SLIPWAY_SHA256_\(pipeline.index(of: instance.id) ?? 0)"
    }

    /// What runs before a job's own script on platforms that run one generated bash script per
    /// job: unsetting the secrets it does not list, verifying what the jobs it needs produced, and
    /// installing or checking its pinned tools after `loadToolFunctions` (`ToolScripts.prepare`).
    ///
    /// With `restoresCopies`, each producer's files are first copied back from its own directory
    /// (`artifactDirectory`), where platforms that hand every earlier artifact to every later step
    /// keep them apart.
    static func preparation(
        _ instance: JobInstance, in pipeline: Pipeline, loadToolFunctions: String, restoresCopies: Bool = false
    ) -> String {
        var script = ""
        if !instance.withheldSecrets.isEmpty { script += "unset \(instance.withheldSecrets.joined(separator: " "))\n" }
        for producer in instance.receivesFrom.compactMap(pipeline.instance) {
            if restoresCopies { script += restoreCopy(producer) }
            script += verifyChecksums(producer, digestVariable: digestVariable(producer, in: pipeline))
        }
        return script + ToolScripts.prepare(instance, in: pipeline, loadFunctions: loadToolFunctions)
    }

    /// The audience a platform's OIDC token must carry for `provider`.
    static func audience(_ provider: OIDCProvider, _ configuration: OIDCConfiguration) -> String {
        switch provider {
        case .aws: return "sts.amazonaws.com"
        case .gcp: return "https://iam.googleapis.com/\(configuration.gcp?.provider ?? "")"
        }
    }

    /// Turns the OIDC token in `tokenVariable` into credentials the cloud's CLIs and SDKs pick up
    /// on their own: AWS's web-identity variables, or a GCP external-account credentials file.
    static func oidcSetup(_ provider: OIDCProvider, _ configuration: OIDCConfiguration, tokenVariable: String) -> String
    {
        var script = """
            slipway_oidc=$(mktemp -d)
            printf '%s' "${\(tokenVariable):?no OIDC token for \(provider.rawValue): is OIDC enabled for this job on the CI platform?}" >"$slipway_oidc/\(provider.rawValue)-token"

            """
        switch provider {
        case .aws:
            let role = ChangeDetectionScript.singleQuoted(configuration.aws?.role ?? "")
            let region = ChangeDetectionScript.singleQuoted(configuration.aws?.region ?? "")
            script += """
                export AWS_ROLE_ARN=\(role) AWS_WEB_IDENTITY_TOKEN_FILE="$slipway_oidc/aws-token"
                export AWS_REGION=\(region) AWS_DEFAULT_REGION=\(region) AWS_ROLE_SESSION_NAME="slipway-${SLIPWAY_RUN_ID:-run}"

                """
        case .gcp:
            let provider = hereDocument(json(configuration.gcp?.provider ?? ""))
            let account = hereDocument(json(configuration.gcp?.serviceAccount ?? ""))
            script += """
                cat >"$slipway_oidc/gcp-credentials.json" <<SLIPWAY_GCP_EOF
                {
                  "type": "external_account",
                  "audience": "//iam.googleapis.com/\(provider)",
                  "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
                  "token_url": "https://sts.googleapis.com/v1/token",
                  "service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/\(account):generateAccessToken",
                  "credential_source": {"file": "$slipway_oidc/gcp-token"}
                }
                SLIPWAY_GCP_EOF
                export GOOGLE_APPLICATION_CREDENTIALS="$slipway_oidc/gcp-credentials.json"
                export CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE="$slipway_oidc/gcp-credentials.json"

                """
        }
        return script + "unset \(tokenVariable)\n"
    }

    /// `text` escaped for a JSON string.
    private static func json(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// `text` escaped for an unquoted here-document, where `$`, `` ` `` and `\\` are special.
    private static func hereDocument(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "$" || character == "`" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// The directory a producer's files are copied to, so that two producers of the same path
    /// (`out/cluster.yaml` for dev and for prod) never overwrite each other on the way.
    static func artifactDirectory(_ instance: JobInstance) -> String {
        ".slipway/artifacts/\(instance.slug)"
    }

    /// Copies what `instance` produced into `artifactDirectory`, paths kept.
    static func copyProduced(_ instance: JobInstance) -> String {
        let files = instance.produces.map(ChangeDetectionScript.singleQuoted).joined(separator: " ")
        let directory = artifactDirectory(instance)
        return """
            rm -rf \(directory)/files
            mkdir -p \(directory)/files
            tar -cf - -- \(files) | tar -xf - -C \(directory)/files

            """
    }

    /// Puts `producer`'s copied files back at their paths, over whatever another producer of the
    /// same path left there.
    static func restoreCopy(_ producer: JobInstance) -> String {
        let directory = artifactDirectory(producer)
        return """
            if [[ -d \(directory)/files ]]; then tar -cf - -C \(directory)/files . | tar -xf -; fi

            """
    }

    /// Where a producer's checksum manifest lives in the workspace.
    static func manifestPath(_ instance: JobInstance) -> String {
        ".slipway/artifacts/\(instance.slug).sha256"
    }

    /// Writes the SHA-256 of every produced file to the manifest, and appends the manifest's own
    /// digest to `digestFile` as `NAME=digest` (a dotenv line the platform hands to consumers).
    static func recordChecksums(_ instance: JobInstance, digestVariable: String, digestFile: String) -> String {
        let files = instance.produces.map(ChangeDetectionScript.singleQuoted).joined(separator: " ")
        let manifest = manifestPath(instance)
        return """
            mkdir -p .slipway/artifacts
            sha256sum -- \(files) >\(manifest)
            echo "\(digestVariable)=$(sha256sum <\(manifest) | cut -d ' ' -f 1)" >>\(digestFile)

            """
    }

    /// Verifies a producer's files before the consumer uses them.
    ///
    /// The files are checked against the producer's manifest, and the manifest against the digest
    /// the platform passed on; anything that differs names the producer. Only when neither is here
    /// (the producer was not selected) does the consumer go on without.
    static func verifyChecksums(_ producer: JobInstance, digestVariable: String) -> String {
        let manifest = manifestPath(producer)
        return """
            if [[ -n "${\(digestVariable):-}" || -f \(manifest) ]]; then
              if [[ -z "${\(digestVariable):-}" ]]; then
                echo "error: \(producer.id)'s files are here but the checksum it recorded is not (expired, or not passed on); re-run the pipeline from \(producer.id)" >&2
                exit 1
              fi
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
