import SlipwayCore
import Testing

struct GlobPatternTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let pattern: String
        let path: String
        let matches: Bool
        var testDescription: String { "\(pattern) \(matches ? "matches" : "does not match") \(path)" }
    }

    static let cases: [Case] = [
        // Anchoring: a slash before the end anchors at the root.
        Case(pattern: "terraform/**", path: "terraform/main.tf", matches: true),
        Case(pattern: "terraform/**", path: "terraform/modules/vpc/main.tf", matches: true),
        Case(pattern: "terraform/**", path: "docs/terraform/x.tf", matches: false),
        Case(pattern: "terraform/**", path: "terraform", matches: false),
        Case(pattern: "/docs", path: "docs/index.md", matches: true),
        Case(pattern: "/docs", path: "site/docs/index.md", matches: false),
        Case(pattern: "clusters/prod/values.yaml", path: "clusters/prod/values.yaml", matches: true),
        Case(pattern: "clusters/prod/values.yaml", path: "x/clusters/prod/values.yaml", matches: false),
        // No slash: any depth, file or directory.
        Case(pattern: "*.md", path: "README.md", matches: true),
        Case(pattern: "*.md", path: "docs/deep/guide.md", matches: true),
        Case(pattern: "*.md", path: "docs/guide.mdx", matches: false),
        Case(pattern: "terraform", path: "infra/terraform/main.tf", matches: true),
        Case(pattern: "Makefile", path: "a/b/Makefile", matches: true),
        // `**` spans directories.
        Case(pattern: "**/*.tf", path: "main.tf", matches: true),
        Case(pattern: "**/*.tf", path: "a/b/c/main.tf", matches: true),
        Case(pattern: "a/**/b", path: "a/b", matches: true),
        Case(pattern: "a/**/b", path: "a/x/y/b", matches: true),
        Case(pattern: "a/**/b", path: "a/x/y/c", matches: false),
        Case(pattern: "**", path: "anything/at/all", matches: true),
        Case(pattern: "a/**/**/b", path: "a/b", matches: true),
        // `*` and `?` stay inside one segment.
        Case(pattern: "terraform/*", path: "terraform/main.tf", matches: true),
        Case(pattern: "terraform/*", path: "terraform/modules/vpc.tf", matches: true),
        Case(pattern: "terraform/*.tf", path: "terraform/modules/vpc.tf", matches: false),
        Case(pattern: "env-?/x", path: "env-a/x", matches: true),
        Case(pattern: "env-?/x", path: "env-ab/x", matches: false),
        Case(pattern: "a*b", path: "a/b", matches: false),
        // A pattern that matches a directory matches every file below it.
        Case(pattern: "kubeone/", path: "kubeone/kubeone.yaml", matches: true),
        Case(pattern: "kubeone/", path: "kubeone", matches: false),
        Case(pattern: "build/logs/", path: "build/logs/today/x.log", matches: true),
        // A trailing `**/` matches directories only (as `git check-ignore` answers).
        Case(pattern: "/?/**/", path: "b/my dir", matches: false),
        Case(pattern: "/?/**/", path: "c/d/e", matches: true),
        Case(pattern: "**/", path: ".env", matches: false),
        Case(pattern: "**/", path: "a/.env", matches: true),
        // Case-sensitive.
        Case(pattern: "Docs/**", path: "docs/x.md", matches: false),
        Case(pattern: "*.TF", path: "main.tf", matches: false),
        // Dotfiles are not special.
        Case(pattern: "*", path: ".env", matches: true),
        Case(pattern: "**/.github/**", path: ".github/workflows/ci.yml", matches: true),
        Case(pattern: "*.yml", path: ".gitlab-ci.yml", matches: true),
        // Character classes and escapes.
        Case(pattern: "v[0-9].tf", path: "v7.tf", matches: true),
        Case(pattern: "v[!0-9].tf", path: "v7.tf", matches: false),
        Case(pattern: "v[^0-9].tf", path: "vx.tf", matches: true),
        Case(pattern: "[]]x", path: "]x", matches: true),
        Case(pattern: "\\*.md", path: "*.md", matches: true),
        Case(pattern: "\\*.md", path: "a.md", matches: false),
        Case(pattern: "\\!important", path: "!important", matches: true),
        // Spaces and non-ASCII.
        Case(pattern: "my docs/**", path: "my docs/read me.md", matches: true),
        Case(pattern: "données/*.csv", path: "données/été.csv", matches: true),
        Case(pattern: "?té.csv", path: "été.csv", matches: true),
        Case(pattern: "[é]t?.csv", path: "été.csv", matches: true),
        Case(pattern: "*é*", path: "x/caféine", matches: true),
    ]

    @Test(arguments: cases)
    func matching(_ example: Case) throws {
        let pattern = try GlobPattern(example.pattern)
        #expect(pattern.matches(example.path) == example.matches)
    }

    @Test func negationIsReportedNotApplied() throws {
        let pattern = try GlobPattern("!docs/**")
        #expect(pattern.isNegated)
        #expect(pattern.matches("docs/a.md"))
    }

    @Test func theLastMatchingPatternWins() throws {
        let list = try PatternList(["docs/**", "!docs/internal/**", "docs/internal/public.md"])
        #expect(list.matches("docs/a.md"))
        #expect(!list.matches("docs/internal/secret.md"))
        #expect(list.matches("docs/internal/public.md"))
        #expect(!list.matches("src/main.swift"))
    }

    @Test func aListOfOnlyNegationsMatchesNothing() throws {
        let list = try PatternList(["!docs/**"])
        #expect(!list.matches("src/a.swift"))
        #expect(!list.matches("docs/a.md"))
    }

    @Test func firstMatchSkipsPathsThatALaterNegationExcludes() throws {
        let list = try PatternList(["kubermatic/**", "!kubermatic/README.md"])
        #expect(list.firstMatch(in: PathSet(["kubermatic/README.md"])) == nil)
        let match = try #require(list.firstMatch(in: PathSet(["kubermatic/README.md", "kubermatic/values.yaml"])))
        #expect(match.path == "kubermatic/values.yaml")
        #expect(match.pattern.source == "kubermatic/**")
    }

    @Test func indexesNarrowCandidatesWithoutLosingMatches() throws {
        let paths = PathSet([
            "a/x", "terraform/a.tf", "terraform/b/c.tf", "terraformx/d.tf", "z", "docs/terraform/e.md",
        ])
        func candidates(_ pattern: String) throws -> [String] {
            paths.candidates(for: try GlobPattern(pattern)).map { paths.paths[$0].path }
        }
        // The prefix range and the segment index both have three paths here; the range wins ties.
        #expect(try candidates("terraform/**") == ["terraform/a.tf", "terraform/b/c.tf", "terraformx/d.tf"])
        #expect(try candidates("terraform/b/**") == ["terraform/b/c.tf"])
        #expect(try candidates("*.tf") == ["terraform/a.tf", "terraform/b/c.tf", "terraformx/d.tf"])
        #expect(try candidates("**/e.md") == ["docs/terraform/e.md"])
        #expect(try candidates("nothing/**").isEmpty)
        #expect(try candidates("*").count == 6)
        // Every path a pattern matches is among its candidates.
        for pattern in ["terraform/**", "*.tf", "**/e.md", "terraform", "*/b/*", "t*/**", "docs/", "?/x"] {
            let compiled = try GlobPattern(pattern)
            let matching = paths.paths.filter { compiled.matches($0) }.map(\.path)
            #expect(Set(matching).isSubset(of: try candidates(pattern)), "\(pattern)")
        }
    }

    @Test(arguments: [
        ("", GlobError.empty),
        ("!", GlobError.onlyNegation),
        ("terraform/[a-z", GlobError.unclosedBracket),
        ("trailing\\", GlobError.trailingBackslash),
        ("[[:alpha:]]", GlobError.posixClassUnsupported),
        ("./terraform/**", GlobError.relativeSegment(".")),
        ("a/../b", GlobError.relativeSegment("..")),
        ("a//b", GlobError.emptySegment),
        ("/", GlobError.empty),
    ])
    func malformedPatterns(source: String, error: GlobError) {
        #expect(throws: error) { try GlobPattern(source) }
    }
}
