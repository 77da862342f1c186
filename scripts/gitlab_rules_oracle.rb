#!/usr/bin/env ruby
# Evaluates a generated GitLab configuration the way GitLab decides which jobs a pipeline contains,
# for the forms Slipway generates:
# - `workflow:rules` and job `rules` whose `if:` is a conjunction (` && `) of `$VARIABLE == "value"`
#   terms over CI_PIPELINE_SOURCE, CI_COMMIT_BRANCH, CI_PROJECT_PATH and
#   CI_MERGE_REQUEST_TARGET_BRANCH_NAME (an undefined variable equals nothing); no workflow rule
#   matching means no pipeline;
# - a job without `rules` is always in the pipeline (the child pipeline's jobs); `when: never`
#   keeps one out, `when: manual` keeps it in, waiting;
# - `needs`: a needed job that is not in the pipeline is an error unless the need is
#   `optional: true` ("'a' job needs 'b' job, but 'b' does not exist in the pipeline"), and an
#   optional need of a job the file does not define is ignored (gitlabhq
#   lib/gitlab/ci/yaml_processor.rb, `validate_job_dependency!`: "return if optional").
# Anything else in a rule is an error, so the model cannot silently drift from what the generator
# writes.
#
# Usage: gitlab_rules_oracle.rb FILE < {"source": "push", "branch": "main", "project": "acme/platform",
#                                       "target": "main"}
# (every key but "source" is optional: absent, the variable is undefined, as CI_COMMIT_BRANCH is in
# merge-request pipelines).
# Prints the names of the jobs in the pipeline, as JSON; exits 2 when GitLab would refuse it.
require "json"
require "yaml"

KEYWORDS = %w[workflow stages variables default include image services cache before_script after_script types pages].freeze

config = YAML.safe_load(File.read(ARGV.fetch(0)), aliases: false)
input = JSON.parse($stdin.read)

VARIABLES = {
  "CI_PIPELINE_SOURCE" => "source", "CI_COMMIT_BRANCH" => "branch", "CI_PROJECT_PATH" => "project",
  "CI_MERGE_REQUEST_TARGET_BRANCH_NAME" => "target",
}.freeze

def holds(condition, input)
  condition.split(" && ").all? do |term|
    match = term.match(/\A\$([A-Z_]+) == "([^"]*)"\z/)
    raise "unsupported rule condition: #{condition}" unless match && VARIABLES.key?(match[1])

    input[VARIABLES.fetch(match[1])] == match[2]
  end
end

workflow = config.dig("workflow", "rules")
if workflow && workflow.none? { |rule| holds(rule.fetch("if"), input) }
  puts JSON.generate([])
  exit 0
end

jobs = config.reject { |name, _| KEYWORDS.include?(name) || name.start_with?(".") }
selected = jobs.filter_map do |name, job|
  unless job.key?("rules")
    raise "unsupported job-level when in #{name}: #{job["when"]}" unless [nil, "manual"].include?(job["when"])

    next name
  end
  rule = job.fetch("rules").find do |candidate|
    unknown = candidate.keys - %w[if when allow_failure]
    raise "unsupported rule keys in #{name}: #{unknown}" unless unknown.empty?
    # A rule without `if` always matches: `- when: never` keeps a job out.
    next true unless candidate.key?("if")

    holds(candidate.fetch("if"), input)
  end
  name if rule && rule["when"] != "never"
end

selected.each do |name|
  Array(jobs.fetch(name)["needs"]).each do |need|
    need = { "job" => need } if need.is_a?(String)
    next if selected.include?(need.fetch("job")) || need["optional"] == true

    warn "'#{name}' job needs '#{need["job"]}' job, but '#{need["job"]}' does not exist in the pipeline"
    exit 2
  end
end
puts JSON.generate(selected)
