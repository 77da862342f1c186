# shellcheck shell=bash
# The kOps jobs of slipway.yml: each sources this file and calls one function. slipway runs them
# with bash -euo pipefail; KOPS_CLUSTER_NAME and AWS_REGION come from the job's environment,
# KOPS_STATE_STORE from the top of slipway.yml.

# Prints what went wrong and what to do, then stops the job.
kops_fail() {
  printf 'error: %s\n' "$1" >&2
  shift
  local note
  for note in "$@"; do printf '  note: %s\n' "$note" >&2; done
  exit 1
}

# Appends Markdown to the job's summary (GitHub's step summary, the run's summary locally).
kops_summary() {
  local summary=${SLIPWAY_SUMMARY:-${GITHUB_STEP_SUMMARY:-}}
  if [[ -n $summary ]]; then cat >>"$summary"; else cat >/dev/null; fi
}

# The rendered manifest of this job's cluster.
kops_manifest() {
  printf 'out/%s/cluster.yaml\n' "${SLIPWAY_ENVIRONMENT:?this job runs once per environment}"
}

# Renders templates/ with clusters/defaults.yaml and the cluster's values into out/<env>/.
#
# Templates can read the environment (Sprig's env): kops runs with an empty one here, so no
# credential or CI variable can reach the manifest, the log or the artifact.
kops_render() {
  local environment=${SLIPWAY_ENVIRONMENT:?} manifest
  manifest=$(kops_manifest)
  [[ -f clusters/$environment/values.yaml ]] ||
    kops_fail "clusters/$environment/values.yaml is missing" \
      "every environment in slipway.yml has its values file; copy another cluster's and edit it"
  mkdir -p "out/$environment"
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" kops toolbox template \
    --template templates --values clusters/defaults.yaml --values "clusters/$environment/values.yaml" \
    --format-yaml --out "$manifest"
  local name
  name=$(awk '/^kind: Cluster$/ { cluster = 1 } cluster && /^  name: / { print $2; exit }' "$manifest")
  [[ $name == "${KOPS_CLUSTER_NAME:?}" ]] ||
    kops_fail "clusters/$environment/values.yaml names the cluster '${name:-nothing}', slipway.yml '$KOPS_CLUSTER_NAME'" \
      "the two must agree: change clusterName there or KOPS_CLUSTER_NAME in the $environment environment"
  echo "rendered $manifest for $KOPS_CLUSTER_NAME"
}

# Stops with a clear message when kops refused because a newer kOps last updated the cluster.
kops_check_downgrade() {
  local output=$1 last
  last=$(sed -n 's/.*last updated by kops version \([^ ]*\).*/\1/p' "$output" | head -n 1)
  [[ -z $last ]] && return 0
  kops_fail "kOps $(kops version --short 2>/dev/null) would downgrade $KOPS_CLUSTER_NAME: kOps $last last updated it" \
    "a cluster is never managed by an older kOps than the last one that changed it" \
    "set tools.kops.version in slipway.yml to $last or later, and let the upgrade roll out cluster by cluster"
}

# Dry-runs the rendered manifest against a private copy of the cluster's state and reports what
# would change. Nothing is written to the state store.
#
# The copy holds the cluster's private keys: it lives in a directory only this user can read,
# is removed when the job ends, and never becomes an artifact or reaches the log.
kops_dry_run() {
  local name=${KOPS_CLUSTER_NAME:?} store=${KOPS_STATE_STORE:?} manifest work
  manifest=$(kops_manifest)
  work=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: the trap runs after work is out of scope
  trap "rm -rf '$work'" EXIT
  mkdir -m 700 "$work/state"
  aws s3 sync "$store/$name" "$work/state/$name" --exclude '*backups/*' --only-show-errors ||
    kops_fail "cannot copy $store/$name from the state store; the aws CLI's message is above" \
      "does the bucket exist? README.md, \"Setting it up\", step 1 creates it" \
      "the credentials need s3:ListBucket and s3:GetObject on the bucket (README.md, \"AWS credentials\")"
  if [[ ! -f $work/state/$name/config ]]; then
    echo "$name is not in $store yet: the dry run shows it created"
  fi
  # kops reads KOPS_STATE_STORE when --state is missing; it must never see the live one here.
  env -u KOPS_STATE_STORE kops replace --force -f "$manifest" --state "file://$work/state"
  local status=0
  env -u KOPS_STATE_STORE kops update cluster --name "$name" --state "file://$work/state" \
    >"$work/update.txt" 2>&1 || status=$?
  cat "$work/update.txt"
  kops_check_downgrade "$work/update.txt"
  ((status == 0)) || kops_fail "kops update cluster (dry run) failed for $name: its output is above" \
    "run it yourself: slipway run --event pull_request --job dry-run@${SLIPWAY_ENVIRONMENT:-} --env-file .env"
  # kops exits 0 whether there are changes or not: its last words say which.
  local changes
  if grep -q 'Must specify --yes to apply changes' "$work/update.txt"; then
    changes="changes"
  elif grep -q 'No changes need to be applied' "$work/update.txt"; then
    changes="no changes"
  else
    kops_fail "cannot tell whether $name would change: kops update cluster said neither 'Must specify --yes' nor 'No changes'" \
      "its output is above; a kOps release that words this differently needs scripts/kops.sh adjusted"
  fi
  # The preview reads the cloud's instances; a cluster not created yet has none to show.
  status=0
  env -u KOPS_STATE_STORE kops rolling-update cluster --name "$name" --state "file://$work/state" \
    >"$work/roll.txt" 2>&1 || status=$?
  cat "$work/roll.txt"
  local roll="nothing to roll"
  if ((status != 0)); then
    roll="no roll preview: kops rolling-update cluster failed, its output is above"
  elif grep -q 'Must specify --yes to rolling-update' "$work/roll.txt"; then
    roll="nodes to roll"
  fi
  echo "dry run: $name: $changes; $roll (before the update: the nodes a new launch template replaces show after it)"
  local fence
  fence=$(printf '\140\140\140')
  {
    printf '### %s: %s\n\n' "$name" "$changes"
    printf '<details><summary>kops update cluster (dry run)</summary>\n\n%stext\n' "$fence"
    cat "$work/update.txt"
    printf '%s\n</details>\n\n<details><summary>kops rolling-update cluster (%s)</summary>\n\n%stext\n' \
      "$fence" "$roll" "$fence"
    cat "$work/roll.txt"
    printf '%s\n</details>\n' "$fence"
  } | kops_summary
}

# Whether this kops has `reconcile cluster` (1.31 and later), which updates and rolls the control
# plane before the nodes, as the kubelet version skew policy asks of a Kubernetes upgrade.
kops_reconciles() {
  local minor
  minor=$(kops version --short 2>/dev/null | sed -n 's/^v\{0,1\}1\.\([0-9][0-9]*\)\..*/\1/p')
  [[ -n $minor ]] && ((minor >= 31))
}

# Stores the manifest in the state store, applies it to the cloud, rolls the nodes that need it
# and waits until the cluster validates.
kops_deploy() {
  local name=${KOPS_CLUSTER_NAME:?} manifest work
  manifest=$(kops_manifest)
  work=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: the trap runs after work is out of scope
  trap "rm -rf '$work'" EXIT
  kops replace --force -f "$manifest"
  local status=0
  if kops_reconciles; then
    # kOps' order since 1.31: control plane first, then the nodes, then what they no longer need.
    # (Updating every instance group at once and then rolling would start nodes newer than their
    # control plane during an upgrade.)
    kops reconcile cluster --name "$name" --yes 2>&1 | tee "$work/apply.txt" || status=$?
  else
    kops update cluster --name "$name" --yes 2>&1 | tee "$work/apply.txt" || status=$?
  fi
  kops_check_downgrade "$work/apply.txt"
  ((status == 0)) || kops_fail "kOps could not apply $name: its output is above" \
    "the state store already holds the new spec; the next push (or slipway run --event manual) tries again"
  if ! kops_reconciles; then
    echo "--- nodes that need replacing:"
    kops rolling-update cluster --name "$name" | tee "$work/roll.txt"
    kops rolling-update cluster --name "$name" --yes
  fi
  # Admin credentials for the validation only, short-lived, in the job's private directory.
  kops export kubeconfig --name "$name" --admin=1h --kubeconfig "$work/kubeconfig"
  KUBECONFIG="$work/kubeconfig" kops validate cluster --name "$name" --wait 15m
  # As kOps' own end-to-end tests do: after an update, a dry run must find nothing left to do.
  kops update cluster --name "$name" >"$work/again.txt" 2>&1 || true
  if ! grep -q 'No changes need to be applied' "$work/again.txt"; then
    cat "$work/again.txt"
    echo "warning: $name still reports changes after the update; the next run applies them" >&2
  fi
  local fence
  fence=$(printf '\140\140\140')
  {
    printf '### %s: deployed\n\n%stext\n' "$name" "$fence"
    cat "$work/apply.txt"
    if [[ -f $work/roll.txt ]]; then cat "$work/roll.txt"; fi
    printf '%s\n' "$fence"
  } | kops_summary
}
