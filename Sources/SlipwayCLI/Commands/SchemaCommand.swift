import ArgumentParser
import SlipwayCore

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (draft 2020-12) of slipway.yml, for editors.",
        discussion: """
            Save it and point yaml-language-server at it for completion and inline errors:

              slipway schema > .slipway/schema.json
              # first line of slipway.yml:
              # yaml-language-server: $schema=.slipway/schema.json
            """
    )

    func run() throws {
        Terminal(noColor: true).write(SpecSchema.json)
    }
}
