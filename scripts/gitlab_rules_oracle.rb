#!/usr/bin/env ruby
# Evaluates a generated .gitlab-ci.yml the way GitLab decides which jobs a pipeline contains, for
# the rule forms Slipway generates: `if: $CI_PIPELINE_SOURCE == "..."`, optionally with
# `changes: paths` matched by File.fnmatch? with FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB.
# GitLab treats `changes` as true when there is no diff to compare (a new branch), which the
# input's "everything" flag stands for. Anything else in a rule is an error, so the model cannot
# silently drift from what the generator writes.
#
# Usage: gitlab_rules_oracle.rb FILE < {"source": "push", "changed": [...], "everything": false}
# Prints the names of the jobs in the pipeline, as JSON.
require "json"
require "yaml"

FLAGS = File::FNM_PATHNAME | File::FNM_DOTMATCH | File::FNM_EXTGLOB
KEYWORDS = %w[workflow stages variables default include image services cache before_script after_script types pages].freeze

config = YAML.safe_load(File.read(ARGV.fetch(0)), aliases: false)
input = JSON.parse($stdin.read)

def source_of(condition)
  match = condition.match(/\A\$CI_PIPELINE_SOURCE == "([a-z_]+)"\z/)
  raise "unsupported rule condition: #{condition}" unless match

  match[1]
end

selected = config.filter_map do |name, job|
  next if KEYWORDS.include?(name)

  rule = job.fetch("rules").find do |candidate|
    unknown = candidate.keys - %w[if changes when allow_failure]
    raise "unsupported rule keys in #{name}: #{unknown}" unless unknown.empty?
    # A rule without `if` (or `changes`) always matches: `- when: never` keeps a job out.
    next true unless candidate.key?("if") || candidate.key?("changes")
    next false unless source_of(candidate.fetch("if")) == input.fetch("source")

    changes = candidate["changes"]
    next true if changes.nil? || input.fetch("everything")

    globs = changes.fetch("paths")
    input.fetch("changed").any? { |path| globs.any? { |glob| File.fnmatch?(glob, path, FLAGS) } }
  end
  name if rule && rule["when"] != "never"
end
puts JSON.generate(selected)
