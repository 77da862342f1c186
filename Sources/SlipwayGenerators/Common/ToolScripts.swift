import Foundation
import SlipwayCore

/// The bash that installs and checks a job's pinned tools in generated CI.
///
/// A job without `image` installs each tool it runs into `.slipway/tools` from the URL and to the
/// digest `PinnedTool` resolves, in the layout `slipway tools install` uses (`ToolCacheLayout`;
/// the platform caches the verified archives between runs), then checks its version. A job with
/// `image` only checks that the image has each tool at the pinned version, so a missing tool
/// fails the job at its start, naming the tool and the version.
enum ToolScripts {
    /// The variable that carries `functions` where a file can hold it once for every job.
    static let functionsVariable = "SLIPWAY_TOOL_FUNCTIONS"

    /// What every job that runs pinned tools evaluates first: `slipway_error`,
    /// `slipway_detect_platform`, `slipway_install` and `slipway_check`, then an install and a
    /// check function per tool the pipeline pins (`installFunction(_:)`, `checkFunction(_:)`).
    ///
    /// A tool's releases and digests are written once per file this way, not once per job: a job's
    /// own step is a call per tool.
    static func functions(_ pipeline: Pipeline) -> String {
        let used = Set(pipeline.instances.flatMap { $0.tools.map(\.name) })
        let tools = pipeline.tools.filter { used.contains($0.name) }
        // Named over every pinned tool, as `prepare` names them.
        let names = functionNames(pipeline.tools)
        let installed = Set(pipeline.instances.filter(\.installsTools).flatMap { $0.tools.map(\.name) })
        var script = commonFunctions
        for tool in tools {
            guard let name = names[tool.name] else { continue }
            if installed.contains(tool.name) { script += installFunction(tool, named: name) }
            script += checkFunction(tool, named: name)
        }
        return script
    }

    /// The functions that do not depend on the pipeline.
    static let commonFunctions = errorFunction + platformFunction + installFunction + checkFunction

    /// Everything a job does about its tools before its script: installs (without `image`) and
    /// version checks (always), after `loadFunctions` (the text that defines `functions(_:)`).
    static func prepare(_ instance: JobInstance, in pipeline: Pipeline, loadFunctions: String) -> String {
        guard !instance.tools.isEmpty else { return "" }
        let names = functionNames(pipeline.tools)
        var script = loadFunctions
        if instance.installsTools {
            let quoted = ChangeDetectionScript.singleQuoted
            let tools = instance.tools.map { "\($0.name) \($0.version)" }.joined(separator: ", ")
            script += "slipway_detect_platform \(quoted(tools)) || exit 1\n"
            for tool in instance.tools { script += "slipway_install_\(names[tool.name] ?? tool.name)\n" }
            script += "if [[ -n \"${slipway_unverified:-}\" ]]; then exit 1; fi\n"
        }
        for tool in instance.tools { script += "slipway_check_\(names[tool.name] ?? tool.name)\n" }
        return script
    }

    /// Evaluates `functions(_:)` from `functionsVariable`.
    static let evaluateFunctions = "eval \"$\(functionsVariable)\"\n"

    /// The part of each tool's function names after `slipway_install_` and `slipway_check_`: its
    /// name with every character bash does not allow in a portable name as `_`, numbered when
    /// two tools would get the same.
    static func functionNames(_ tools: [PinnedTool]) -> [String: String] {
        var names: [String: String] = [:]
        var taken: Set<String> = []
        for tool in tools {
            let base = String(
                tool.name.unicodeScalars.map { scalar in
                    scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "_")
                        ? Character(scalar) : "_"
                })
            var name = base
            var number = 2
            while !taken.insert(name).inserted {
                name = "\(base)_\(number)"
                number += 1
            }
            names[tool.name] = name
        }
        return names
    }

    /// `slipway_install_NAME`: installs `tool` for the runner's platform (`slipway_install`), or
    /// names it and sets `slipway_unverified` when `slipway.yml` pins no digest for that platform.
    static func installFunction(_ tool: PinnedTool, named name: String) -> String {
        let quoted = ChangeDetectionScript.singleQuoted
        var script = "slipway_install_\(name)() {\n  case ${slipway_platform:?} in\n"
        for platform in tool.lockedPlatforms {
            guard let release = tool.release(for: platform), let digest = release.sha256 else { continue }
            script += """
                  \(platform.key))
                    slipway_install \(platform.key) \(quoted(tool.name)) \(quoted(tool.version)) \\
                      \(quoted(release.url)) \\
                      \(quoted(digest)) \(quoted(release.format.rawValue)) \(quoted(release.executable))
                    ;;

                """
        }
        let locked = tool.lockedPlatforms.isEmpty ? "none" : tool.lockedPlatforms.map(\.key).joined(separator: ", ")
        script += """
              *)
                slipway_error "slipway.yml pins no SHA-256 for \(tool.name) \(tool.version) on $slipway_platform (it pins: \(locked))"
                echo "note: run 'slipway tools lock \(tool.name)' and commit slipway.yml, or give the job an image with \(tool.name) \(tool.version)" >&2
                # shellcheck disable=SC2034 # read by the job's install step
                slipway_unverified=1
                ;;
              esac
            }

            """
        return script
    }

    /// `slipway_check_NAME`: fails unless `tool` is on `PATH` and prints its pinned version
    /// (`VersionMatch`) when asked (`slipway_check`).
    static func checkFunction(_ tool: PinnedTool, named name: String) -> String {
        let quoted = ChangeDetectionScript.singleQuoted
        let arguments =
            [tool.name, tool.version, VersionMatch.bashPattern(version: tool.version), tool.name]
            + tool.versionArguments
        return "slipway_check_\(name)() {\n  slipway_check \(arguments.map(quoted).joined(separator: " "))\n}\n"
    }

    /// `slipway_detect_platform TOOLS`: sets `$slipway_platform` to the runner's platform, as
    /// `slipway.yml` keys it, or fails on a platform Slipway cannot install on, naming `TOOLS`
    /// as what an image would need.
    static let platformFunction = """
        slipway_detect_platform() {
          # shellcheck disable=SC2034 # read by the job's install step
          case "$(uname -s)/$(uname -m)" in
          Linux/x86_64) slipway_platform=linux-amd64 ;;
          Linux/aarch64 | Linux/arm64) slipway_platform=linux-arm64 ;;
          Darwin/x86_64) slipway_platform=darwin-amd64 ;;
          Darwin/arm64) slipway_platform=darwin-arm64 ;;
          *)
            slipway_error "this runner is $(uname -s)/$(uname -m); Slipway installs pinned tools on Linux and macOS, on x86_64 or arm64"
            echo "note: run the job on such a runner, or give it an image with $1" >&2
            return 1
            ;;
          esac
        }

        """

    /// `slipway_error MESSAGE`: `error: MESSAGE` on standard error, and on GitHub also an error
    /// annotation, which the run's summary shows (workflow commands are read from standard output).
    static let errorFunction = """
        slipway_error() {
          if [[ -n "${GITHUB_ACTIONS:-}" ]]; then
            local message=${1//'%'/%25}
            echo "::error::${message//$'\\n'/%0A}"
          fi
          echo "error: $1" >&2
        }

        """

    /// `slipway_check NAME VERSION PATTERN COMMAND…`: fails unless `NAME` is on `PATH` and
    /// `COMMAND…` prints something `PATTERN` (`VersionMatch.bashPattern`) matches.
    static let checkFunction = """
        slipway_check() {
          local name=$1 version=$2 pattern=$3 found
          shift 3
          if ! command -v "$name" >/dev/null; then
            slipway_error "slipway.yml pins $name $version, but this job's image has no $name; use an image with it, or remove the job's image so CI installs it"
            return 1
          fi
          found=$("$@" 2>&1 || true)
          if ! [[ "$found" =~ $pattern ]]; then
            slipway_error "slipway.yml pins $name $version, but $* printed: $found"
            echo "note: with an image, use one with $name $version; otherwise $(command -v "$name") is not the pinned release: check the version, url and binary of $name under tools in slipway.yml" >&2
            return 1
          fi
        }

        """

    /// `slipway_install PLATFORM NAME VERSION URL SHA256 FORMAT EXECUTABLE`: the verified archive from the
    /// cache's `downloads/` or from `URL`, unpacked afresh into the release's directory
    /// (`ToolCacheLayout`), which goes first on `PATH`.
    static let installFunction = """
        mkdir -p \(ToolCacheLayout.root)
        slipway_install() {
          local platform=$1 name=$2 version=$3 url=$4 sha256=$5 format=$6 executable=$7
          local dir="\(ToolCacheLayout.root)/$name/$version/$platform"
          local archive="\(ToolCacheLayout.root)/\(ToolCacheLayout.downloads)/$sha256"
          local partial actual
          # A restored cache is verified like a download: it may come from a less trusted run.
          if [[ -f "$archive" && "$(sha256sum "$archive" | cut -d ' ' -f 1)" == "$sha256" ]]; then
            echo "$name $version: from the cache, verified by SHA-256"
          else
            if [[ -n "${\(ToolMirror.variable):-}" ]]; then url="${\(ToolMirror.variable)%/}/${url#https://}"; fi
            partial=$(mktemp -d "\(ToolCacheLayout.root)/\(ToolCacheLayout.partialPrefix)XXXXXX")
            if ! curl --fail --silent --show-error --location --retry 2 --connect-timeout 20 --max-time 900 --output "$partial/archive" -- "$url"; then
              rm -rf "$partial"
              slipway_error "could not download $name $version from $url (see curl's message above); nothing was installed"
              return 1
            fi
            actual=$(sha256sum "$partial/archive" | cut -d ' ' -f 1)
            if [[ "$actual" != "$sha256" ]]; then
              rm -rf "$partial"
              slipway_error "$name from $url is not the release slipway.yml pins: its SHA-256 is $actual, slipway.yml says $sha256; nothing was installed"
              echo "note: if the version in slipway.yml changed, run 'slipway tools lock' and commit slipway.yml; otherwise the download was altered" >&2
              return 1
            fi
            mkdir -p "${archive%/*}"
            # Whatever holds the name (a stray directory would swallow the archive) goes first.
            rm -rf "$archive"
            mv "$partial/archive" "$archive"
            rm -rf "$partial"
            echo "$name $version: downloaded from $url, verified by SHA-256"
          fi
          # Unpacked afresh from the verified archive, never taken from the cache.
          partial=$(mktemp -d "\(ToolCacheLayout.root)/\(ToolCacheLayout.partialPrefix)XXXXXX")
          mkdir "$partial/\(ToolCacheLayout.files)" "$partial/\(ToolCacheLayout.bin)"
          case $format in
          zip)
            if command -v unzip >/dev/null; then
              unzip -q -o "$archive" -d "$partial/\(ToolCacheLayout.files)"
            elif command -v python3 >/dev/null; then
              python3 -m zipfile -e "$archive" "$partial/\(ToolCacheLayout.files)"
            else
              rm -rf "$partial"
              slipway_error "installing $name needs unzip or python3, and this runner has neither; add one to the image"
              return 1
            fi
            ;;
          tar.gz) tar -xzf "$archive" -C "$partial/\(ToolCacheLayout.files)" ;;
          *) cp "$archive" "$partial/\(ToolCacheLayout.files)/$executable" ;;
          esac
          if [[ ! -f "$partial/\(ToolCacheLayout.files)/$executable" ]]; then
            rm -rf "$partial"
            slipway_error "the archive $url has no executable at $executable for $name; nothing was installed"
            return 1
          fi
          chmod 755 "$partial/\(ToolCacheLayout.files)/$executable"
          ln -s "../\(ToolCacheLayout.files)/$executable" "$partial/\(ToolCacheLayout.bin)/$name"
          echo "$sha256" >"$partial/\(ToolCacheLayout.digest)"
          rm -rf "$dir"
          mkdir -p "${dir%/*}"
          mv "$partial" "$dir"
          PATH="$PWD/$dir/\(ToolCacheLayout.bin):$PATH"
          export PATH
          if [[ -n "${GITHUB_PATH:-}" ]]; then echo "$PWD/$dir/\(ToolCacheLayout.bin)" >>"$GITHUB_PATH"; fi
        }

        """
}
