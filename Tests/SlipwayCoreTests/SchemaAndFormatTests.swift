import Foundation
import SlipwayCore
import Testing

struct SchemaTests {
    private func schema() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(SpecSchema.json.utf8))
        return try #require(object as? [String: Any])
    }

    @Test func isDraft2020And12() throws {
        #expect(try schema()["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    }

    @Test func namesExactlyTheKeysTheLoaderKnows() throws {
        let schema = try schema()
        let top = try #require(schema["properties"] as? [String: Any])
        #expect(Set(top.keys) == Set(SpecKeys.topLevel))
        let definitions = try #require(schema["$defs"] as? [String: Any])
        let job = try #require((definitions["job"] as? [String: Any])?["properties"] as? [String: Any])
        #expect(Set(job.keys) == Set(SpecKeys.job))
        let environments = try #require(top["environments"] as? [String: Any])
        let items = try #require((environments["items"] as? [String: Any])?["oneOf"] as? [[String: Any]])
        let environment = try #require(items.last?["properties"] as? [String: Any])
        #expect(Set(environment.keys) == Set(SpecKeys.environment))
    }
}

struct PlanFormatTests {
    private func plan() throws -> Plan {
        let text = """
            version: 1
            environments: [dev, prod]
            jobs:
              lint:
                paths: ["docs/**"]
                run: x
              apply:
                on: [push]
                environment: each
                mutates: true
                paths: ["clusters/{environment}/**"]
                run: y
            """
        let pipeline = try #require(SpecValidator.pipeline(text: text).pipeline)
        return Planner().plan(
            pipeline, event: .push,
            changes: ChangeSet(base: "aaa", head: "bbb", paths: ["clusters/prod/a.yaml", "README.md"]))
    }

    @Test func jsonHasExactlyTheDesignShape() throws {
        let data = try plan().jsonData()
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["event", "base", "head", "changed", "selected", "skipped"])
        #expect(object["event"] as? String == "push")
        #expect(object["base"] as? String == "aaa")
        #expect(object["head"] as? String == "bbb")
        #expect(object["changed"] as? [String] == ["README.md", "clusters/prod/a.yaml"])
        let selected = try #require(object["selected"] as? [[String: Any]])
        #expect(selected.map { $0["id"] as? String } == ["apply@prod"])
        #expect(selected.first?["reasons"] as? [String] == ["clusters/prod/a.yaml matches clusters/prod/**"])
        let skipped = try #require(object["skipped"] as? [[String: Any]])
        #expect(skipped.map { $0["id"] as? String } == ["lint", "apply@dev"])
        #expect(skipped.first?["reason"] as? String == "no changed file matches docs/**")
    }

    @Test func jsonWritesNullForAHandGivenChangeSet() throws {
        let pipeline = try #require(
            SpecValidator.pipeline(text: "version: 1\njobs:\n  a:\n    run: x\n    paths: [\"**\"]\n").pipeline)
        let data = try Planner().plan(pipeline, event: .pullRequest, changes: ChangeSet(paths: ["x"])).jsonData()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"base\" : null"))
        #expect(text.contains("\"head\" : null"))
    }

    @Test func markdownIsATableThatSurvivesPipes() throws {
        var plan = try plan()
        plan.changed.append("we|ird`name.md")
        let markdown = plan.markdown()
        #expect(markdown.contains("| Job | Result | Why |"))
        #expect(markdown.contains("| `apply@prod` | run | `clusters/prod/a.yaml` matches `clusters/prod/**` |"))
        #expect(markdown.contains("- ``we\\|ird`name.md``"))
        #expect(markdown.contains("1 of 3 jobs run"))
    }
}
