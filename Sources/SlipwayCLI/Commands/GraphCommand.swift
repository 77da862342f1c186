import ArgumentParser
import SlipwayCore

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw the job graph as Mermaid or Graphviz dot.",
        discussion: """
            Solid edges are 'needs'; dashed edges are promotion order between
            environments; mutating jobs are hexagons.

            Examples:
              slipway graph                      # Mermaid, paste into a README or PR
              slipway graph --format dot | dot -Tsvg > pipeline.svg
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Output format: mermaid or dot.")
    var format: GraphFormat = .mermaid

    func run() throws {
        let session = SpecSession(options: options)
        let (pipeline, _) = try session.pipeline(showWarnings: false)
        session.terminal.write(pipeline.graph(format))
    }
}

extension GraphFormat: ExpressibleByArgument {}
