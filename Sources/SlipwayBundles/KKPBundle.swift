import Foundation

/// A file a bundle writes into the repository it scaffolds.
public struct BundleFile: Hashable, Sendable {
    /// Where the file goes, relative to the repository root (`terraform/aws/main.tf`).
    public var path: String
    /// The file's exact contents.
    public var contents: String

    /// Creates a bundle file.
    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}

/// A cloud a bundle can set a cluster up on.
public enum BundleCloud: String, Sendable, CaseIterable {
    /// Amazon Web Services.
    case aws
    /// Google Cloud.
    case gcp
}

/// Why a bundle cannot produce what was asked.
public enum BundleError: Error, Equatable, Sendable {
    /// The bundle has no files for this cloud yet.
    case cloudNotAvailable(BundleCloud)
    /// A resource the package should carry is missing (a packaging mistake).
    case missingResource(String)
}

/// The repository `slipway init --preset kkp` writes: Terraform → KubeOne → KKP installer → DNS →
/// Flux (../shared/kkp-wizard.md, docs/decisions.md).
///
/// The files are package resources under `Resources/kkp/`, one folder per cloud, so adding a cloud
/// is adding a folder. The Terraform is static: everything that differs between repositories is a
/// variable with validation, set by the `terraform.tfvars` the answers produce.
public enum KKPBundle {
    /// The control plane's Terraform for `cloud`, at `terraform/<cloud>/` in the repository.
    public static func terraform(for cloud: BundleCloud) throws(BundleError) -> [BundleFile] {
        try resources(under: "kkp/terraform/\(cloud.rawValue)", as: "terraform/\(cloud.rawValue)") {
            .cloudNotAvailable(cloud)
        }
    }

    /// Every file below `directory` of the resources, in path order, placed under `destination`.
    static func resources(
        under directory: String, as destination: String, missing: () -> BundleError
    ) throws(BundleError) -> [BundleFile] {
        guard let resources = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw .missingResource("Resources")
        }
        let root = resources.appendingPathComponent(directory)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { throw missing() }
        var files: [BundleFile] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            guard let contents = try? String(contentsOf: root.appendingPathComponent(name), encoding: .utf8) else {
                throw .missingResource("\(directory)/\(name)")
            }
            files.append(BundleFile(path: "\(destination)/\(name)", contents: contents))
        }
        if files.isEmpty { throw missing() }
        return files
    }
}
