#!/usr/bin/env ruby
# Answers whether any of the globs matches each path, the way GitLab evaluates rules:changes:
# File.fnmatch? with FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB. Reads JSON [[globs, path], ...]
# from stdin and prints a JSON list of booleans. Slipway's tests compare its translation with it.
require "json"

flags = File::FNM_PATHNAME | File::FNM_DOTMATCH | File::FNM_EXTGLOB
cases = JSON.parse($stdin.read)
answers = cases.map do |globs, path|
  globs.any? { |glob| File.fnmatch?(glob, path, flags) }
end
puts JSON.generate(answers)
