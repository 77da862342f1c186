import SlipwayCore

/// The bash script a CI platform runs to decide which jobs run, where the platform has no exact
/// per-job path filter of its own.
///
/// It computes the change set the way `slipway plan` does (docs/planning.md: a pull request's
/// `merge-base(base, head)..head`, a push's `before..after`, everything for an all-zero or unknown
/// `before`, where every path filter matches), matches each instance's patterns with `grep -E` (see `PatternRegex`), and prints one
/// `slug=true|false` line per instance from the static trigger lists of
/// `Pipeline.selectionTriggers(for:)`. Tests run it with real bash and git and compare its answers
/// with the planner's.
public struct ChangeDetectionScript: Sendable {
    /// The environment variables the script reads, and what they hold.
    public enum Input {
        /// `pull_request`, `push`, `manual` or `schedule`.
        public static let event = "SLIPWAY_EVENT"
        /// Pull request: the base branch's commit.
        public static let baseSHA = "SLIPWAY_BASE_SHA"
        /// Pull request: the head commit.
        public static let headSHA = "SLIPWAY_HEAD_SHA"
        /// Push: the commit before the push (all zeros for a new branch).
        public static let before = "SLIPWAY_BEFORE"
        /// Push: the commit pushed.
        public static let after = "SLIPWAY_AFTER"
        /// The file the `slug=value` lines are appended to.
        public static let output = "SLIPWAY_OUTPUT"
        /// Convergence: the git remote the marks are fetched from (default `origin`).
        public static let marksRemote = "SLIPWAY_MARKS_REMOTE"
        /// Manual runs: `true` selects every job that listens, whatever its mark (`--all`).
        public static let all = "SLIPWAY_ALL"
        /// What a platform's form for a manual run says about `all`.
        public static let allDescription = "Run every job, whatever its mark says (repairs drift; slipway run --all)"
        /// Pull requests: `true` for one from a fork, which runs none of the `untrusted` jobs; their
        /// slugs are left in the bash array `fork_skipped` for the platform to report.
        public static let fork = "SLIPWAY_FORK"
    }

    private let pipeline: Pipeline
    private let outputName: @Sendable (JobInstance) -> String
    private let approvalName: @Sendable (ApprovalPoint) -> String
    private let converges: Bool
    private let deployGuard: DeployGuard?
    private let marksRemotePrefix: String
    private let untrusted: Set<String>
    /// Whether the approval outputs are `pipeline.approvalStages`' rather than its points'.
    private let stages: Bool

    /// Where mutating jobs may run, for platforms whose files cannot say it: a bash test, and what
    /// to print when it fails.
    public struct DeployGuard: Sendable {
        /// A bash command that succeeds where mutating jobs may run.
        public var test: String
        /// Why they do not run when it fails.
        public var explanation: String

        /// Creates a guard.
        public init(test: String, explanation: String) {
            self.test = test
            self.explanation = explanation
        }

        /// Mutating jobs run only where the bash variable `branch` names the spec's default
        /// branch and, when the spec names its canonical `repository`, `repository` names it: the
        /// guard for platforms whose manual runs take any branch and whose forks run pipelines.
        public static func defaultBranch(of spec: Spec, branch: String, repository: String) -> DeployGuard {
            let quoted = ChangeDetectionScript.singleQuoted
            var test = "[[ \"${\(branch):-}\" == \(quoted(spec.defaultBranch))"
            var explanation = "they run only on \(spec.defaultBranch)"
            if let canonical = spec.repository {
                test += " && \"${\(repository):-}\" == \(quoted(canonical))"
                explanation += " of \(canonical)"
            }
            return DeployGuard(test: test + " ]]", explanation: explanation)
        }
    }

    /// Whether pushes or manual runs of `pipeline` converge: some job takes part in them.
    public static func converges(_ pipeline: Pipeline) -> Bool {
        pipeline.instances.contains { instance in convergingEvents.contains { instance.events.contains($0) } }
    }

    /// Creates the script for `pipeline`.
    ///
    /// `outputName` names each instance's output (its slug unless the platform needs
    /// identifiers). With `converges`, pushes and manual runs select what is out of date since
    /// each instance's mark (`MarkRefs`, docs/planning.md), as `Planner.converge` does, instead
    /// of what `before..after` touched, reading the marks from under `marksRemotePrefix` on the
    /// remote. The `untrusted` instances (ids) never run for a pull request from a fork
    /// (`Input.fork`).
    ///
    /// Each of `pipeline.approvalPoints` gets an output too (named by `approvalName`), true when
    /// its environment's gate asks there in this run: its instance runs and none of the
    /// environment's gated instances before it does. With `stages`, each of
    /// `pipeline.approvalStages` gets one instead (named by its slug), true when it asks
    /// (`ApprovalStage.asks`).
    public init(
        pipeline: Pipeline, converges: Bool = false, deployGuard: DeployGuard? = nil,
        marksRemotePrefix: String = MarkRefs.prefix, untrusted: Set<String> = [],
        outputName: @escaping @Sendable (JobInstance) -> String = { $0.slug },
        approvalName: @escaping @Sendable (ApprovalPoint) -> String = { $0.slug }, stages: Bool = false
    ) {
        self.stages = stages
        self.pipeline = pipeline
        self.untrusted = untrusted
        self.marksRemotePrefix = marksRemotePrefix
        self.outputName = outputName
        self.approvalName = approvalName
        self.converges = converges
        self.deployGuard = deployGuard
    }

    /// The line that outputs `value` for `instance` in `event`, or nil for `false`, which every
    /// output left unset gets at the end: false for a mutating instance where the deploy guard
    /// fails, and for an untrusted one in a pull request from a fork.
    private func output(_ instance: JobInstance, _ value: String, event: Event) -> String? {
        guard value != "false" else { return nil }
        let name = outputName(instance)
        if deployGuard != nil, instance.mutates { return "deploy \(name) \(value)" }
        // Only a pull request comes from a fork.
        if untrusted.contains(instance.id), event == .pullRequest { return "trusted \(name) \(value)" }
        return "output \(name) \(value)"
    }

    /// The script's text.
    public var text: String {
        let changeEvents: [Event] = [.pullRequest, .push]
        let triggers = Dictionary(
            uniqueKeysWithValues: Event.allCases.map { ($0, pipeline.selectionTriggers(for: $0)) })
        // Only instances that trigger something for a change event need their patterns evaluated.
        var needed: Set<String> = []
        for event in changeEvents { for list in triggers[event]!.values { needed.formUnion(list) } }
        let evaluated = pipeline.instances.filter { needed.contains($0.id) && !$0.patterns.patterns.isEmpty }
        var variable: [String: String] = [:]
        for (index, instance) in evaluated.enumerated() { variable[instance.id] = "direct_\(index)" }

        var lines: [String] = [
            "# Generated by Slipway from slipway.yml: decides which jobs run for this event, with the",
            "# selection rules of `slipway plan` (docs/planning.md).",
            "set -euo pipefail",
            "export LC_ALL=C.UTF-8",
            "changed=$(mktemp)",
            "selected=$(mktemp)",
        ]
        if converges {
            lines += [
                "changes=$changed",
                "diffs=$(mktemp -d)",
                "trap 'rm -rf \"$changes\" \"$selected\" \"$diffs\"' EXIT",
            ]
        } else {
            lines.append("trap 'rm -f \"$changed\" \"$selected\"' EXIT")
        }
        lines += [
            "everything=false"
        ]
        if !untrusted.isEmpty { lines.append("fork_skipped=()") }
        lines += [
            "",
            "case \"${\(Input.event)}\" in",
            "pull_request)",
            "  base=$(git merge-base \"${\(Input.baseSHA)}\" \"${\(Input.headSHA)}\")",
            "  git diff --name-only --no-renames --no-ext-diff -z \"$base\" \"${\(Input.headSHA)}\" | tr '\\0' '\\n' >\"$changed\"",
            "  ;;",
        ]
        if !converges { lines += Self.pushChangeSet }
        lines += [
            "esac",
            "echo \"$(wc -l <\"$changed\") changed files\"",
            "",
            "# selected_paths PATTERN...: the paths in $changed whose last matching pattern is a '+' one",
            "# (every path, without patterns), possibly more than once. Each argument is '+REGEX'",
            "# (include) or '-REGEX' (exclude); regexes match whole paths.",
            "selected_paths() {",
            "  if (($# == 0)); then cat \"$changed\"; return; fi",
            "  local patterns=(\"$@\") i j",
            "  for ((i = 0; i < ${#patterns[@]}; i++)); do",
            "    [[ ${patterns[i]} == +* ]] || continue",
            "    local excludes=()",
            "    for ((j = i + 1; j < ${#patterns[@]}; j++)); do",
            "      if [[ ${patterns[j]} == -* ]]; then excludes+=(-e \"${patterns[j]:1}\"); fi",
            "    done",
            "    if ((${#excludes[@]} == 0)); then",
            "      grep -E -x -e \"${patterns[i]:1}\" \"$changed\" || true",
            "    else",
            "      grep -E -x -e \"${patterns[i]:1}\" \"$changed\" | grep -E -x -v \"${excludes[@]}\" || true",
            "    fi",
            "  done",
            "}",
            "",
            "# selects PATTERN...: whether some changed path's last matching pattern is a '+' one.",
            "selects() {",
            "  if [[ $everything == true ]]; then return 0; fi",
            "  selected_paths \"$@\" >\"$selected\"",
            "  [[ -s $selected ]]",
            "}",
            "",
            "# output NAME VALUE: NAME's output, once; every output left unset is false at the end.",
            "declare -A outputs=()",
            "output() {",
            "  echo \"$1=$2\" >>\"${\(Input.output)}\"",
            "  echo \"$1: $2\"",
            "  outputs[$1]=$2",
            "}",
            "",
        ]
        // Decide the outputs first, so only the pattern lists some output reads are evaluated.
        var used: Set<String> = []
        var outputs: [String] = []
        for event in Event.allCases {
            outputs.append("\(event.rawValue))")
            if converges && Self.convergingEvents.contains(event) {
                outputs += convergedOutputs(event).map { "  " + $0 }
                outputs.append("  ;;")
                continue
            }
            for instance in pipeline.instances {
                let list = triggers[event]![instance.id] ?? []
                let values = list.compactMap { id -> String? in
                    guard let trigger = pipeline.instance(id) else { return nil }
                    // No patterns, or an event without a change set: selected whenever it takes part.
                    if trigger.patterns.patterns.isEmpty || !changeEvents.contains(event) { return "true" }
                    return id
                }
                let value: String
                if values.isEmpty {
                    value = "false"
                } else if values.contains("true") {
                    value = "true"
                } else {
                    used.formUnion(values)
                    let references = values.map { "\"$\(variable[$0]!)\"" }
                    value = references.count == 1 ? references[0] : "\"$(any \(references.joined(separator: " ")))\""
                }
                if let line = output(instance, value, event: event) { outputs.append("  " + line) }
            }
            outputs.append("  ;;")
        }
        if outputs.contains(where: { $0.hasPrefix("  trusted ") }) {
            lines += [
                "# trusted NAME VALUE: NAME's output, false in a pull request from a fork, which gets no",
                "# secrets (NAME is then in fork_skipped if it would have run).",
                "trusted() {",
                "  if [[ ${\(Input.fork):-false} == true ]]; then",
                "    if [[ $2 == true ]]; then fork_skipped+=(\"$1\"); fi",
                "    output \"$1\" false",
                "  else",
                "    output \"$1\" \"$2\"",
                "  fi",
                "}",
                "",
            ]
        }
        if outputs.contains(where: { $0.hasPrefix("  deploy ") }) {
            lines += [
                "# deploy NAME VALUE: a mutating job's output, false where jobs may not deploy ($deploys).",
                "deploy() {",
                "  if [[ $deploys == true ]]; then output \"$1\" \"$2\"; else output \"$1\" false; fi",
                "}",
                "",
            ]
        }

        if outputs.contains(where: { $0.contains("$(any ") }) {
            lines += [
                "# any VALUE...: true when one of the values is true.",
                "any() {",
                "  local value",
                "  for value in \"$@\"; do if [[ $value == true ]]; then echo true; return; fi; done",
                "  echo false",
                "}",
                "",
            ]
        }
        // Converging events never read these: evaluating them there would cost a grep per job.
        let guarded = converges && !used.isEmpty
        if guarded {
            let events = Self.convergingEvents.map { "$\(Input.event) != \($0.rawValue)" }.joined(separator: " && ")
            lines.append("if [[ \(events) ]]; then")
        }
        for instance in evaluated where used.contains(instance.id) {
            let name = variable[instance.id]!
            let arguments = instance.patterns.patterns.map { pattern in
                Self.singleQuoted((pattern.isNegated ? "-" : "+") + PatternRegex.expression(for: pattern))
            }
            let indent = guarded ? "  " : ""
            lines.append(
                indent + "# \(instance.id): \(instance.patterns.patterns.map(\.source).joined(separator: " "))")
            lines.append(indent + "\(name)=false")
            lines.append(indent + "if selects \(arguments.joined(separator: " ")); then \(name)=true; fi")
        }
        if guarded { lines.append("fi") }
        if !used.isEmpty { lines.append("") }
        if converges { lines += outOfDate }
        // Only where some output depends on it: a pipeline without mutating jobs does not ask.
        if let deployGuard, outputs.contains(where: { $0.hasPrefix("  deploy ") }) {
            lines += [
                "deploys=false",
                "if \(deployGuard.test); then",
                "  deploys=true",
                "else",
                "  echo \(Self.singleQuoted("mutating jobs do not run here: " + deployGuard.explanation))",
                "fi",
                "",
            ]
        }

        lines.append("case \"${\(Input.event)}\" in")
        lines += outputs
        lines.append("*)")
        lines.append("  echo \"unknown event '${\(Input.event)}'\" >&2")
        lines.append("  exit 1")
        lines.append("  ;;")
        lines.append("esac")
        lines += Self.wrapped(["for", "name", "in"] + pipeline.instances.map(outputName), last: "; do")
        lines += [
            "  if [[ -z ${outputs[$name]:-} ]]; then output \"$name\" false; fi",
            "done",
        ]
        lines += approvals
        return lines.joined(separator: "\n") + "\n"
    }

    /// The outputs of the approval points: an environment's gate asks once per run, at the point
    /// before the first of the run's gated instances for it.
    private var approvals: [String] {
        let points = pipeline.approvalPoints
        guard !points.isEmpty else { return [] }
        var lines = [
            "",
            "# An environment's gate asks once per run, before the first of the run's jobs for it.",
            "# approve NAME JOB [NAME JOB]...: for one environment's gated jobs in the order its gate may ask",
            "# at them, NAME is true for the first JOB that runs, and false for every other (a NAME that",
            "# covers several JOBs is output once).",
            "approve() {",
            "  local asked=false name",
            "  local -A value=()",
            "  local -a names=()",
            "  while (($# >= 2)); do",
            "    if [[ -z ${value[$1]:-} ]]; then names+=(\"$1\"); value[$1]=false; fi",
            "    if [[ $asked == false && ${outputs[$2]:-false} == true ]]; then asked=true value[$1]=true; fi",
            "    shift 2",
            "  done",
            "  for name in \"${names[@]}\"; do output \"$name\" \"${value[$name]}\"; done",
            "}",
        ]
        // Per environment, (name, job) pairs in the order the gate may ask at them: execution
        // order for points, level order for stages (a stage asks before any of a higher level).
        var environments: [String] = []
        var arguments: [String: [String]] = [:]
        let ordered: [(name: String, point: ApprovalPoint)] =
            stages
            ? pipeline.approvalStages.enumerated().sorted {
                ($0.element.level, $0.offset) < ($1.element.level, $1.offset)
            }
            .flatMap { _, stage in stage.points.map { (stage.slug, $0) } }
            : points.map { (approvalName($0), $0) }
        for (name, point) in ordered {
            guard let instance = pipeline.instance(point.instance) else { continue }
            if arguments[point.environment] == nil { environments.append(point.environment) }
            arguments[point.environment, default: []] += [name, outputName(instance)]
        }
        for environment in environments {
            lines += Self.wrapped(["approve"] + (arguments[environment] ?? []))
        }
        return lines
    }

    /// The events that converge when `converges` is set.
    public static let convergingEvents: [Event] = [.push, .manual]

    /// The instances that may be out of date: those taking part in a converging event on their
    /// own (not `when: with-needs`).
    private var convergingInstances: [JobInstance] {
        pipeline.instances.filter { instance in
            !instance.onlyWithNeeds && Self.convergingEvents.contains { pipeline.takesPart(instance, in: $0) }
        }
    }

    /// The variable holding whether `instance` is selected (`s_INDEX`, by its place in
    /// `pipeline.instances`).
    private func selectedVariable(_ instance: JobInstance) -> String {
        "s_\(pipeline.index(of: instance.id) ?? 0)"
    }

    /// Reads the marks and decides, for every instance that may be out of date, whether it is:
    /// no mark, another fingerprint, a matching file changed since the marked commit, or a
    /// mutating instance it needs succeeded after it (`Planner.converge`).
    private var outOfDate: [String] {
        let remote = "${\(Input.marksRemote):-origin}"
        var lines = [
            "# Convergence: what is out of date since its mark (docs/planning.md). Marks are refs",
            "# \(MarkRefs.prefix)<job> kept in the repository; see the file's header.",
            "declare -A mark_commit=() mark_fingerprint=() mark_time=()",
            "if [[ \"${\(Input.event)}\" == push || \"${\(Input.event)}\" == manual ]]; then",
            "  head=$(git rev-parse HEAD)",
            "  if ! git fetch --quiet --no-tags --prune \"\(remote)\" \(Self.singleQuoted(MarkRefs.refspec(from: marksRemotePrefix))); then",
            "    echo \"error: cannot read which jobs are up to date: fetching \(marksRemotePrefix)* from \(remote) failed (see git's message above)\" >&2",
            "    echo \"note: the job needs read access to the repository's refs; nothing was selected, so nothing ran\" >&2",
            "    exit 1",
            "  fi",
            "  # shellcheck disable=SC2034 # mark_time is read only where a job needs a mutating one",
            "  while IFS= read -r -d '' slug && IFS= read -r -d '' parent && IFS= read -r -d '' body; do",
            "    slug=${slug#$'\\n'} parent=${parent#$'\\n'}",
            "    [[ $parent =~ ^[0-9a-f]{40}([0-9a-f]{24})?$ ]] || continue",
            "    [[ $body == *'\(MarkRefs.fingerprintTrailer): '* && $body == *'\(MarkRefs.succeededAtTrailer): '* ]] || continue",
            "    fingerprint=${body#*'\(MarkRefs.fingerprintTrailer): '}",
            "    fingerprint=${fingerprint%%$'\\n'*}",
            "    time=${body#*'\(MarkRefs.succeededAtTrailer): '}",
            "    time=${time%%$'\\n'*}",
            "    [[ $time =~ ^[0-9]{1,18}$ ]] || continue",
            "    mark_commit[$slug]=$parent",
            "    mark_fingerprint[$slug]=$fingerprint",
            "    mark_time[$slug]=$((10#$time))",
            "  done < <(git for-each-ref --format=\(Self.singleQuoted(MarkRefs.forEachRefFormat)) \(MarkRefs.prefix))",
            "  echo \"${#mark_commit[@]} marks\"",
            "fi",
            "",
            "# walk: the first-parent history from the head back to the oldest marked commit on it, read",
            "# once. $diffs/walk gets 'C <position> <old mode> <new mode> <old object> <new object> <path>'",
            "# for each change (position 0 is the head's own commit), $diffs/paths every changed path once,",
            "# and position[COMMIT] the position of each marked commit found on the way.",
            "declare -A position=() approximate=()",
            "walked=false",
            "walk() {",
            "  walked=true",
            "  printf '%s\\n' \"${wanted_marks[@]}\" | sort -u >\"$diffs/wanted\"",
            "  # Only marks on that history: one off it (a force push dropped it) would make the walk read",
            "  # everything; it gets its own diff instead.",
            "  { git rev-list --first-parent \"$head\" -- || true; } | awk -v wanted=\"$diffs/wanted\" '",
            "    BEGIN { while ((getline line < wanted) > 0) { if (line != \"\") { want[line] = 1; left++ } }; if (left == 0) exit }",
            "    $0 in want { print; if (--left == 0) exit }",
            "  ' >\"$diffs/on-history\"",
            "  { git log --first-parent --diff-merges=first-parent --no-renames --raw -z --no-abbrev --format='%x01%H' \"$head\" -- |",
            "    tr '\\0' '\\n' || true; } | awk -v wanted=\"$diffs/on-history\" -v paths=\"$diffs/paths\" '",
            "    BEGIN { while ((getline line < wanted) > 0) { want[line] = 1; left++ }; p = -1; printf \"\" >paths; if (left == 0) exit }",
            "    path { print \"C \" p \" \" raw \" \" $0; if (!($0 in seen)) { seen[$0] = 1; print $0 >paths }; path = 0; next }",
            "    /^\\001/ { p++; sha = substr($0, 2); if (sha in want) { print \"M \" p \" \" sha; if (--left == 0) exit }; next }",
            "    /^:/ { split(substr($0, 2), f, \" \"); raw = f[1] \" \" f[2] \" \" f[3] \" \" f[4]; path = 1 }",
            "  ' >\"$diffs/walk\"",
            "  local at sha",
            "  while read -r _ at sha; do position[$sha]=$at; done < <(grep '^M ' \"$diffs/walk\" || true)",
            "}",
            "",
            "# since COMMIT: points $changed at the files changed between COMMIT and the head; fails",
            "# when the repository does not have COMMIT (then everything counts as changed). For a commit",
            "# on the head's first-parent history, $changed is every path the walk saw change, a superset",
            "# that `pending` and the check after it narrow down exactly (approximate[COMMIT] is set).",
            "since() {",
            "  [[ $walked == true ]] || walk",
            "  if [[ -n ${position[$1]:-} ]]; then",
            "    changed=\"$diffs/paths\"",
            "    approximate[$1]=true",
            "    return 0",
            "  fi",
            "  changed=\"$diffs/$1\"",
            "  git cat-file -e \"$1^{commit}\" 2>/dev/null || return 1",
            "  if [[ ! -f $changed ]]; then",
            "    # Through a temporary file: a failed diff must not leave an empty list for the next job.",
            "    git diff --name-only --no-renames --no-ext-diff -z \"$1\" \"$head\" | tr '\\0' '\\n' >\"$changed.part\" || return 1",
            "    mv \"$changed.part\" \"$changed\"",
            "  fi",
            "}",
            "",
            "# pending INDEX COMMIT PATTERN...: instance INDEX, marked at COMMIT on the walk, is out of date",
            "# if one of the paths its patterns select differs between COMMIT and the head; decided below,",
            "# for every such instance at once.",
            "pending() {",
            "  local index=$1 commit=$2",
            "  shift 2",
            "  selected_paths \"$@\" >\"$diffs/s_$index\"",
            "  if [[ -s $diffs/s_$index ]]; then echo \"$index ${position[$commit]}\" >>\"$diffs/pending\"; fi",
            "}",
            "",
        ]
        let candidates = convergingInstances
        // Per instance, one table entry and one call: the logic is written once (a workflow
        // has a size limit, and this script is part of it).
        lines += [
            "# The fingerprint each job's mark must carry for the job to be up to date.",
            "declare -A expected=()",
        ]
        for instance in candidates {
            lines.append("expected[\(Self.singleQuoted(instance.slug))]=\(instance.fingerprint)")
        }
        lines += [
            "# The marks worth walking back to: of jobs whose definition is unchanged, not at the head.",
            "wanted_marks=()",
            "for slug in \"${!expected[@]}\"; do",
            "  if [[ -n ${mark_commit[$slug]:-} && ${mark_commit[$slug]} != \"$head\" && ${mark_fingerprint[$slug]} == \"${expected[$slug]}\" ]]; then",
            "    wanted_marks+=(\"${mark_commit[$slug]}\")",
            "  fi",
            "done",
            "",
            "# outdated INDEX SLUG PATTERN...: sets out_of_date[INDEX] to whether job SLUG is out of date since",
            "# its mark (no mark, another fingerprint, or a selected path changed since the marked commit),",
            "# and succeeded_at[INDEX] to its mark's time; a mark on the walk is decided later (`pending`).",
            "# Without patterns, any change counts.",
            "declare -a out_of_date=() succeeded_at=()",
            "# shellcheck disable=SC2034 # succeeded_at is read only where a job needs a mutating one",
            "outdated() {",
            "  local index=$1 slug=$2 commit value=true",
            "  shift 2",
            "  commit=${mark_commit[$slug]:-}",
            "  succeeded_at[index]=${mark_time[$slug]:-}",
            "  if [[ -n $commit ]]; then",
            "    value=false",
            "    if [[ ${mark_fingerprint[$slug]} != \"${expected[$slug]}\" ]]; then",
            "      value=true",
            "    elif [[ $commit != \"$head\" ]]; then",
            "      if ! since \"$commit\"; then",
            "        value=true",
            "      elif [[ -n ${approximate[$commit]:-} ]]; then",
            "        pending \"$index\" \"$commit\" \"$@\"",
            "      elif (($# == 0)); then",
            "        if [[ -s $changed ]]; then value=true; fi",
            "      elif selects \"$@\"; then",
            "        value=true",
            "      fi",
            "    fi",
            "  fi",
            "  out_of_date[index]=$value",
            "}",
        ]
        for instance in candidates {
            let arguments = instance.patterns.patterns.map { pattern in
                Self.singleQuoted((pattern.isNegated ? "-" : "+") + PatternRegex.expression(for: pattern))
            }
            let index = pipeline.index(of: instance.id) ?? 0
            lines.append(
                (["outdated", "\(index)", Self.singleQuoted(instance.slug)] + arguments).joined(separator: " "))
        }
        // The pending instances: for each selected path, its mode and object at the marked commit
        // (the old side of the oldest change after it) against the head's (the newest change's new
        // side); a mode change counts, as in `git diff`.
        lines += [
            "if [[ -s $diffs/pending ]]; then",
            "  awk -v pending=\"$diffs/pending\" -v dir=\"$diffs\" '",
            "    $1 == \"C\" {",
            "      path = $0; sub(/^C [0-9]+ [0-7]+ [0-7]+ [0-9a-f]+ [0-9a-f]+ /, \"\", path)",
            "      n = ++count[path]; at[path, n] = $2 + 0; old[path, n] = $3 \" \" $5",
            "      if (n == 1) now[path] = $4 \" \" $6",
            "    }",
            "    END {",
            "      while ((getline line < pending) > 0) {",
            "        split(line, f, \" \"); i = f[1]; m = f[2] + 0; file = dir \"/s_\" i; differs = 0",
            "        while (!differs && (getline p < file) > 0) {",
            "          state = \"\"",
            "          for (k = 1; k <= count[p] && at[p, k] < m; k++) state = old[p, k]",
            "          if (state != \"\" && state != now[p]) differs = 1",
            "        }",
            "        close(file)",
            "        if (differs) print i",
            "      }",
            "    }' \"$diffs/walk\" >\"$diffs/outdated\"",
            "  while read -r index; do out_of_date[index]=true; done <\"$diffs/outdated\"",
            "fi",
        ]
        // Rule (d): a mutating instance it needs succeeded after it did.
        for instance in candidates {
            let index = pipeline.index(of: instance.id) ?? 0
            for need in instance.needs {
                guard let upstream = pipeline.instance(need), upstream.mutates else { continue }
                let mark = "${mark_time[\(Self.singleQuoted(upstream.slug))]:-}"
                lines.append(
                    "if [[ ${out_of_date[\(index)]} == false && -n \(mark) ]] && ((\(mark) > succeeded_at[\(index)])); then out_of_date[\(index)]=true; fi"
                )
            }
        }
        lines.append("")
        return lines
    }

    /// The selection for a converging `event`: the out-of-date instances taking part, then
    /// cascade in execution order and pull-in against it, and the outputs.
    private func convergedOutputs(_ event: Event) -> [String] {
        var lines: [String] = []
        let candidates = Set(convergingInstances.map(\.id))
        // Only the instances taking part get a variable: the others stay false, which the outputs
        // left unset get, and nothing below reads them.
        for instance in pipeline.instances where pipeline.takesPart(instance, in: event) {
            let selected = selectedVariable(instance)
            let index = pipeline.index(of: instance.id) ?? 0
            let direct = candidates.contains(instance.id) && !instance.onlyWithNeeds
            lines.append("\(selected)=\(direct ? "${out_of_date[\(index)]}" : "false")")
        }
        for id in pipeline.executionOrder {
            guard let instance = pipeline.instance(id), pipeline.takesPart(instance, in: event) else { continue }
            let mutatingNeeds = instance.needs.compactMap { pipeline.instance($0) }.filter {
                $0.mutates && pipeline.takesPart($0, in: event)
            }
            guard !mutatingNeeds.isEmpty else { continue }
            let condition = mutatingNeeds.map { "$\(selectedVariable($0)) == true" }.joined(separator: " || ")
            lines.append("if [[ \(condition) ]]; then \(selectedVariable(instance))=true; fi")
        }
        for id in pipeline.executionOrder.reversed() {
            guard let instance = pipeline.instance(id), pipeline.takesPart(instance, in: event) else { continue }
            for need in instance.needs {
                guard let upstream = pipeline.instance(need), !upstream.mutates, pipeline.takesPart(upstream, in: event)
                else { continue }
                lines.append(
                    "if [[ $\(selectedVariable(instance)) == true ]]; then \(selectedVariable(upstream))=true; fi")
            }
        }
        if event == .manual {
            // `--all`: every job that listens to manual runs, as `slipway plan --event manual --all`.
            let everything = pipeline.instances.filter { pipeline.takesPart($0, in: event) }
                .map { "\(selectedVariable($0))=true" }
            if !everything.isEmpty {
                lines.append("if [[ \"${\(Input.all):-}\" == true ]]; then \(everything.joined(separator: " ")); fi")
            }
        }
        // One that takes no part in the event stays false, which the outputs left unset get.
        for instance in pipeline.instances where pipeline.takesPart(instance, in: event) {
            if let line = output(instance, "\"$\(selectedVariable(instance))\"", event: event) { lines.append(line) }
        }
        return lines
    }

    /// The change set of a push: `before..after`, or everything for a new branch.
    private static let pushChangeSet: [String] = [
        "push)",
        "  # A new branch (all-zero before) or an unknown before: everything counts as changed.",
        "  if [[ \"${\(Input.before):-}\" =~ ^0*$ ]] || ! git cat-file -e \"${\(Input.before)}^{commit}\" 2>/dev/null; then",
        "    everything=true",
        "    git ls-tree -r --name-only -z \"${\(Input.after)}\" | tr '\\0' '\\n' >\"$changed\"",
        "  else",
        "    git diff --name-only --no-renames --no-ext-diff -z \"${\(Input.before)}\" \"${\(Input.after)}\" | tr '\\0' '\\n' >\"$changed\"",
        "  fi",
        "  ;;",
    ]

    /// A command of `words` (then `last`) on lines of at most about 100 characters, continued
    /// with a backslash, so that no line of a generated file grows with the pipeline.
    static func wrapped(_ words: [String], last: String = "") -> [String] {
        var lines: [String] = []
        var line = ""
        for word in words {
            if !line.isEmpty && line.count + word.count > 100 {
                lines.append(line + " \\")
                line = "  "
            } else if !line.isEmpty && line != "  " {
                line += " "
            }
            line += word
        }
        return lines + [line + last]
    }

    /// `text` as one single-quoted bash word.
    static func singleQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
