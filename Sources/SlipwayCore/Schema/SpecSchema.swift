/// The JSON Schema (draft 2020-12) of `slipway.yml`, for editors through yaml-language-server.
///
/// It mirrors `SpecKeys` (a test keeps them in step) and the loader's types. Checks that need
/// the whole spec, such as unknown `needs` or cycles, are `slipway validate`'s job.
public enum SpecSchema {
    /// The schema document, pretty-printed.
    public static let json = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "urn:slipway:spec:v1",
          "title": "slipway.yml",
          "description": "A Slipway pipeline spec: jobs, triggers, path filters, dependencies, environments, gates and secrets.",
          "type": "object",
          "required": ["version", "jobs"],
          "additionalProperties": false,
          "properties": {
            "version": { "description": "Spec format version.", "const": 1 },
            "name": { "description": "The pipeline's name.", "type": "string" },
            "platforms": {
              "description": "CI platforms `slipway generate` writes configuration for.",
              "type": "array",
              "items": { "enum": ["github", "gitlab", "bitbucket"] },
              "uniqueItems": true
            },
            "defaultBranch": { "description": "The branch pushes deploy from.", "type": "string", "default": "main" },
            "repository": {
              "description": "The canonical repository (owner/name; group/subgroup/project on GitLab): only its pipelines run mutating jobs, never a fork's.",
              "type": "string", "pattern": "^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)+$"
            },
            "env": { "$ref": "#/$defs/variables" },
            "secrets": {
              "description": "Names of the secrets jobs may ask for.",
              "type": "array",
              "items": { "$ref": "#/$defs/variableName" },
              "uniqueItems": true
            },
            "schedule": {
              "description": "Cron expressions (UTC, five fields) that start schedule runs on CI.",
              "oneOf": [
                { "type": "string", "pattern": "^\\S+( \\S+){4}$" },
                { "type": "array", "items": { "type": "string", "pattern": "^\\S+( \\S+){4}$" } }
              ]
            },
            "oidc": {
              "description": "How jobs that list 'oidc' exchange the CI platform's OIDC token for cloud credentials.",
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "aws": {
                  "type": "object",
                  "required": ["role", "region"],
                  "additionalProperties": false,
                  "properties": { "role": { "type": "string" }, "region": { "type": "string" } }
                },
                "gcp": {
                  "type": "object",
                  "required": ["provider", "serviceAccount"],
                  "additionalProperties": false,
                  "properties": { "provider": { "type": "string" }, "serviceAccount": { "type": "string" } }
                }
              }
            },
            "tools": {
              "description": "Pinned tools, by command: terraform: 1.11.4, or the long form with the release archives' SHA-256 (docs/tools.md).",
              "type": "object",
              "propertyNames": { "pattern": "^[A-Za-z][A-Za-z0-9._-]*$" },
              "additionalProperties": {
                "oneOf": [
                  { "$ref": "#/$defs/toolVersion" },
                  {
                    "type": "object",
                    "required": ["version"],
                    "additionalProperties": false,
                    "properties": {
                      "version": { "$ref": "#/$defs/toolVersion" },
                      "sha256": {
                        "description": "The release archive's SHA-256 per platform; `slipway tools lock` fills it in.",
                        "type": "object",
                        "propertyNames": { "enum": ["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64"] },
                        "additionalProperties": { "type": "string", "pattern": "^[0-9A-Fa-f]{64}$" }
                      },
                      "url": {
                        "description": "Where the archive lives: https://… with {version}, {os} and {arch}.",
                        "type": "string", "pattern": "^https://"
                      },
                      "checksums": { "description": "Where the checksum file lives, as url.", "type": "string", "pattern": "^https://" },
                      "binary": { "description": "The executable's path inside the archive.", "type": "string" },
                      "versionArgs": { "description": "Arguments that print its version.", "$ref": "#/$defs/stringOrList" },
                      "replacements": {
                        "description": "Spellings the asset names use for Go's OS and arch names, e.g. amd64: x86_64.",
                        "type": "object",
                        "additionalProperties": { "type": "string" }
                      }
                    }
                  }
                ]
              }
            },
            "environments": {
              "description": "Deployment targets, in promotion order.",
              "type": "array",
              "items": {
                "oneOf": [
                  { "$ref": "#/$defs/name" },
                  {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": false,
                    "properties": {
                      "name": { "$ref": "#/$defs/name" },
                      "gate": { "$ref": "#/$defs/gate" },
                      "env": { "$ref": "#/$defs/variables" }
                    }
                  }
                ]
              }
            },
            "jobs": {
              "description": "The jobs, by name.",
              "type": "object",
              "propertyNames": { "$ref": "#/$defs/name" },
              "additionalProperties": { "$ref": "#/$defs/job" }
            }
          },
          "$defs": {
            "name": { "type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_-]*$" },
            "variableName": { "type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" },
            "scalar": { "type": ["string", "number", "boolean"] },
            "toolVersion": {
              "description": "A version without a leading v, such as 1.11.4.",
              "type": ["string", "number"],
              "pattern": "^[0-9][A-Za-z0-9.+-]*$"
            },
            "variables": {
              "type": "object",
              "propertyNames": { "$ref": "#/$defs/variableName" },
              "additionalProperties": { "$ref": "#/$defs/scalar" }
            },
            "gate": { "description": "Pause until approved.", "enum": ["manual"] },
            "event": { "enum": ["pull_request", "push", "manual", "schedule"] },
            "stringOrList": {
              "oneOf": [
                { "type": "string", "minLength": 1 },
                { "type": "array", "items": { "type": "string", "minLength": 1 } }
              ]
            },
            "job": {
              "type": "object",
              "required": ["run"],
              "additionalProperties": false,
              "properties": {
                "run": { "description": "Shell script, run by bash -euo pipefail.", "type": "string", "minLength": 1 },
                "on": {
                  "description": "Events the job takes part in. Default: [pull_request, push].",
                  "oneOf": [
                    { "$ref": "#/$defs/event" },
                    { "type": "array", "items": { "$ref": "#/$defs/event" }, "uniqueItems": true }
                  ]
                },
                "paths": {
                  "description": "Gitignore-style patterns; the job runs when a changed file matches. Quote patterns that start with '*'.",
                  "$ref": "#/$defs/stringOrList"
                },
                "needs": {
                  "description": "Jobs that must finish first.",
                  "oneOf": [
                    { "$ref": "#/$defs/name" },
                    { "type": "array", "items": { "$ref": "#/$defs/name" }, "uniqueItems": true }
                  ]
                },
                "mutates": { "description": "The job changes live infrastructure.", "type": "boolean", "default": false },
                "environment": {
                  "description": "An environment's name, or 'each' for one instance per environment.",
                  "$ref": "#/$defs/name"
                },
                "gate": { "$ref": "#/$defs/gate" },
                "secrets": {
                  "description": "Secrets this job receives.",
                  "oneOf": [
                    { "$ref": "#/$defs/variableName" },
                    { "type": "array", "items": { "$ref": "#/$defs/variableName" }, "uniqueItems": true }
                  ]
                },
                "oidc": {
                  "description": "Clouds this job gets short-lived credentials for through OIDC.",
                  "oneOf": [
                    { "enum": ["aws", "gcp"] },
                    { "type": "array", "items": { "enum": ["aws", "gcp"] }, "uniqueItems": true }
                  ]
                },
                "produces": { "description": "Files handed to the jobs that need this one.", "$ref": "#/$defs/stringOrList" },
                "timeout": {
                  "description": "How long the job may run: 30m, 90s, 1h30m. Default 60m.",
                  "type": "string",
                  "pattern": "^(?=.)([0-9]+h)?([0-9]+m)?([0-9]+s)?$"
                },
                "retry": { "description": "Retries of a failed non-mutating job.", "type": "integer", "minimum": 0, "maximum": 10 },
                "env": { "$ref": "#/$defs/variables" },
                "workdir": { "description": "Directory the script runs in, relative to the repository root.", "type": "string" },
                "image": { "description": "Container image CI runs the job in.", "type": "string" },
                "description": { "description": "Shown in plans and generated configs.", "type": "string" },
                "when": { "description": "with-needs: never selected by a change of its own, only when a mutating job it needs runs, or a job needing it runs.", "enum": ["with-needs"] }
              }
            }
          }
        }

        """#
}
