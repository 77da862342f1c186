import ArgumentParser
import Foundation
import SlipwayCore
import SlipwayRunner

/// `slipway marks`: where each job instance last succeeded on the default branch.
struct MarksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "marks",
        abstract: "Show where each job last succeeded on the default branch, and what a push would run.",
        discussion: """
            A push (or manual run) of the default branch runs every job that is out of
            date: one that never succeeded, one whose files changed since its mark, one
            whose definition changed, or one whose mutating upstream applied after it.
            `slipway run` moves a job's mark when it succeeds on the default branch's
            head with no tracked file changed; marks never move back to an older commit.
            `slipway plan --event push` says why each job runs.

            Examples:
              slipway marks
              slipway marks --format json
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var options: GlobalOptions

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() async throws {
        let session = SpecSession(options: options)
        let (pipeline, _) = try session.pipeline(showWarnings: false)
        let root = URL(fileURLWithPath: options.specDirectory).standardizedFileURL.path
        let records = Dictionary(
            uniqueKeysWithValues: try MarkReading.records(root: root, session: session).map { ($0.instance, $0) })
        let rows = pipeline.instances.map { instance in
            (instance: instance, record: records[instance.id])
        }
        switch format {
        case .json:
            let document = rows.map { row in
                MarksDocument.Instance(
                    id: row.instance.id, fingerprint: row.instance.fingerprint,
                    mark: row.record.map {
                        MarksDocument.Mark(
                            commit: $0.commit, fingerprint: $0.fingerprint,
                            succeededAt: ISO8601DateFormatter().string(from: $0.succeededAt), run: $0.runId)
                    })
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            session.terminal.write(String(decoding: try encoder.encode(document), as: UTF8.self) + "\n")
        case .text:
            let out = session.terminal.out
            let width = rows.map(\.instance.id.count).max() ?? 0
            var text = "Where each job last succeeded on \(pipeline.spec.defaultBranch):\n"
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
            for row in rows {
                let id = row.instance.id.padding(toLength: width, withPad: " ", startingAt: 0)
                guard let record = row.record else {
                    text += "  \(id)  \(out.warning("never succeeded"))\n"
                    continue
                }
                let definition =
                    record.fingerprint == row.instance.fingerprint
                    ? "" : "  " + out.warning("its definition changed since")
                text +=
                    "  \(id)  \(Mark.short(record.commit))  \(formatter.string(from: record.succeededAt))  run \(record.runId)\(definition)\n"
            }
            if records.isEmpty {
                text +=
                    "\nNo marks yet: the next push runs every job. `slipway run --event push` on \(pipeline.spec.defaultBranch) writes them.\n"
            }
            session.terminal.write(text)
        }
    }
}

/// `slipway marks --format json`: one object per instance.
private enum MarksDocument {
    struct Mark: Encodable {
        let commit: String
        let fingerprint: String
        let succeededAt: String
        let run: String
    }

    struct Instance: Encodable {
        let id: String
        let fingerprint: String
        let mark: Mark?

        private enum Keys: String, CodingKey { case id, fingerprint, mark }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(id, forKey: .id)
            try container.encode(fingerprint, forKey: .fingerprint)
            // null, not absent, for an instance that never succeeded.
            try container.encode(mark, forKey: .mark)
        }
    }
}
