#!/usr/bin/env ruby
# Evaluates a generated .gitlab-ci.yml the way GitLab decides which jobs a pipeline contains, for
# the rule forms Slipway generates: `if:` a conjunction (` && `) of `$VARIABLE == "value"` terms
# over CI_PIPELINE_SOURCE, CI_COMMIT_BRANCH and CI_PROJECT_PATH (an undefined variable equals
# nothing), optionally with `changes: paths` matched by File.fnmatch? with FNM_PATHNAME |
# FNM_DOTMATCH | FNM_EXTGLOB.
# GitLab treats `changes` as true when there is no diff to compare (a new branch), which the
# input's "everything" flag stands for. Anything else in a rule is an error, so the model cannot
# silently drift from what the generator writes.
#
# Usage: gitlab_rules_oracle.rb FILE < {"source": "push", "changed": [...], "everything": false,
#                                       "branch": "main", "project": "acme/platform"}
# ("branch" and "project" are optional: absent, the variable is undefined, as CI_COMMIT_BRANCH is
# in merge-request pipelines).
# Prints the names of the jobs in the pipeline, as JSON.
require "json"
require "yaml"

FLAGS = File::FNM_PATHNAME | File::FNM_DOTMATCH | File::FNM_EXTGLOB
KEYWORDS = %w[workflow stages variables default include image services cache before_script after_script types pages].freeze

config = YAML.safe_load(File.read(ARGV.fetch(0)), aliases: false)
input = JSON.parse($stdin.read)

VARIABLES = {
  "CI_PIPELINE_SOURCE" => "source", "CI_COMMIT_BRANCH" => "branch", "CI_PROJECT_PATH" => "project",
}.freeze

def holds(condition, input)
  condition.split(" && ").all? do |term|
    match = term.match(/\A\$([A-Z_]+) == "([^"]*)"\z/)
    raise "unsupported rule condition: #{condition}" unless match && VARIABLES.key?(match[1])

    input[VARIABLES.fetch(match[1])] == match[2]
  end
end

selected = config.filter_map do |name, job|
  next if KEYWORDS.include?(name)

  rule = job.fetch("rules").find do |candidate|
    unknown = candidate.keys - %w[if changes when allow_failure]
    raise "unsupported rule keys in #{name}: #{unknown}" unless unknown.empty?
    # A rule without `if` (or `changes`) always matches: `- when: never` keeps a job out.
    next true unless candidate.key?("if") || candidate.key?("changes")
    next false unless holds(candidate.fetch("if"), input)

    changes = candidate["changes"]
    next true if changes.nil? || input.fetch("everything")

    globs = changes.fetch("paths")
    input.fetch("changed").any? { |path| globs.any? { |glob| File.fnmatch?(glob, path, FLAGS) } }
  end
  name if rule && rule["when"] != "never"
end
puts JSON.generate(selected)
