import SlipwayCore

/// The bash that records, at the end of a successful job in generated CI, that its instance is
/// up to date at the commit it ran (`MarkRefs`; docs/planning.md, "Convergence").
///
/// `slipway_mark SLUG ID FINGERPRINT BRANCH` writes a mark commit and pushes it to
/// `refs/slipway/marks/SLUG` (on Bitbucket, the tag `slipway-marks/SLUG`) with
/// `--force-with-lease` on the value it read, so two jobs racing
/// cannot move a mark backwards: it moves to a descendant of the marked commit, or, when a force
/// push dropped the marked commit from BRANCH, to a commit on BRANCH; otherwise the newer mark is
/// kept. The job needs the repository's full history and permission to push the ref.
public enum MarkScript {
    /// The function's definition, for marks kept at `refs/slipway/marks/<slug>` on the remote.
    public static var function: String { definition(remotePrefix: MarkRefs.prefix) }

    /// The function's definition, for marks kept under `remotePrefix` on the remote (Bitbucket:
    /// `MarkRefs.tagPrefix`); the local copy is always under `MarkRefs.prefix`.
    public static func definition(remotePrefix: String) -> String {
        """
        slipway_mark() {
          local slug=$1 id=$2 fingerprint=$3 branch=$4 succeeded_at=${5:-} remote=${\(ChangeDetectionScript.Input.marksRemote):-origin}
          local ref="\(MarkRefs.prefix)$slug" remote_ref="\(remotePrefix)$slug" tip="refs/slipway/branch/$4" head object old current attempt
          # When the job succeeded (what its own last step recorded), else now.
          [[ $succeeded_at =~ ^[1-9][0-9]{0,17}$ ]] || succeeded_at=$(date +%s)
          head=$(git rev-parse HEAD) || return 1
          # A mark commit records no person: a fixed identity, so the runner needs no git configuration.
          object=$(GIT_AUTHOR_NAME=slipway GIT_AUTHOR_EMAIL=slipway@invalid GIT_COMMITTER_NAME=slipway \\
            GIT_COMMITTER_EMAIL=slipway@invalid git commit-tree \(MarkRefs.emptyTree) -p "$head" -m "slipway mark $id" \\
            -m "\(MarkRefs.fingerprintTrailer): $fingerprint"$'\\n'"\(MarkRefs.succeededAtTrailer): $succeeded_at") || return 1
          # Whether the mark moves forward is a question about history a shallow clone does not have.
          if [[ $(git rev-parse --is-shallow-repository) == true ]]; then
            git fetch --quiet --no-tags --unshallow "$remote" || return 1
          fi
          for attempt in 1 2 3 4 5 6 7 8; do
            if git fetch --quiet --no-tags --prune "$remote" '\(MarkRefs.refspec(from: remotePrefix))' \\
              "+refs/heads/$branch:$tip"; then
              old=$(git rev-parse --verify --quiet "$ref^{commit}" || true)
              if [[ -n $old ]]; then
                current=$(git rev-parse "$old^") || return 1
                if [[ $current != "$head" ]] && ! git merge-base --is-ancestor "$current" "$head"; then
                  # Not forward: only a force push that dropped the marked commit lets it move.
                  if git merge-base --is-ancestor "$current" "$tip" ||
                    ! git merge-base --is-ancestor "$head" "$tip"; then
                    echo "$id: kept its mark at ${current:0:7}, which is newer than ${head:0:7}"
                    return 0
                  fi
                fi
              fi
              if git push --quiet --no-verify --force-with-lease="$remote_ref:$old" "$remote" "$object:$remote_ref"; then
                git update-ref "$ref" "$object"
                echo "$id: marked up to date at ${head:0:7}"
                return 0
              fi
            fi
            sleep "$attempt"
          done
          echo "error: could not record that $id succeeded at ${head:0:7}: fetching or pushing $ref failed, or it kept changing (see git's messages above)" >&2
          echo "note: the next push runs $id again; this job needs permission to push $ref (see the file's header)" >&2
          return 1
        }

        """
    }

    /// The call that marks `instance` after its script succeeded, at the time in `succeededAt` (a
    /// bash word; empty: now).
    public static func call(_ instance: JobInstance, branch: String, succeededAt: String = "") -> String {
        let quoted = ChangeDetectionScript.singleQuoted
        let time = succeededAt.isEmpty ? "" : " \(succeededAt)"
        return
            "slipway_mark \(quoted(instance.slug)) \(quoted(instance.id)) \(quoted(instance.fingerprint)) \(quoted(branch))\(time)\n"
    }
}
