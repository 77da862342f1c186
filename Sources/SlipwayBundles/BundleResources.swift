import Foundation
import Mustache
import SlipwayCore

/// The bundles' template files: package resources below `Resources/`, rendered with mustache.
enum BundleResources {
    /// The file `resource` writes at `path`, or nil when it is a template that renders empty.
    ///
    /// A template (`.mustache`, the suffix dropped) is rendered with `context`, any other file is
    /// copied; `gitignore` becomes `.gitignore`.
    static func file(_ resource: GeneratedFile, at path: String, _ context: [String: Any]) throws(BundleError)
        -> GeneratedFile?
    {
        var path = path
        var contents = resource.contents
        if path.hasSuffix(".mustache") {
            path.removeLast(".mustache".count)
            contents = try render(contents, named: resource.path, context)
            if contents.allSatisfy(\.isWhitespace) { return nil }
        }
        if path == "gitignore" { path = ".gitignore" }
        return GeneratedFile(path: path, contents: contents)
    }

    /// `text`, a mustache template (the resource `name`), rendered with `context` as plain text:
    /// nothing is HTML-escaped.
    static func render(_ text: String, named name: String, _ context: [String: Any]) throws(BundleError) -> String {
        do {
            return try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}\n" + text).render(context)
        } catch {
            throw .missingResource("\(name): \(error)")
        }
    }

    /// The resource at `path` (below `Resources/`), rendered with `context`.
    static func render(resource path: String, _ context: [String: Any]) throws(BundleError) -> String {
        guard let root = Bundle.module.url(forResource: "Resources", withExtension: nil),
            let text = try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
        else { throw .missingResource(path) }
        return try render(text, named: path, context)
    }

    /// Every file below `directory` of the resources, in path order, relative to it.
    static func files(under directory: String) throws(BundleError) -> [GeneratedFile] {
        guard let resources = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw .missingResource("Resources")
        }
        let root = resources.appendingPathComponent(directory).standardizedFileURL
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else {
            throw .missingResource(directory)
        }
        var relativePaths: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = root.appendingPathComponent(relative).path
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                !(relative as NSString).lastPathComponent.hasPrefix(".")
            else { continue }
            relativePaths.append(relative)
        }
        var files: [GeneratedFile] = []
        for relative in relativePaths.sorted() {
            guard let contents = try? String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8) else {
                throw .missingResource("\(directory)/\(relative)")
            }
            files.append(GeneratedFile(path: relative, contents: contents))
        }
        if files.isEmpty { throw .missingResource(directory) }
        return files
    }
}
