import Foundation
import SlipwayCore

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
    public static func terraform(for cloud: BundleCloud) throws(BundleError) -> [GeneratedFile] {
        try resources(under: "kkp/terraform/\(cloud.rawValue)", as: "terraform/\(cloud.rawValue)") {
            .cloudNotAvailable(cloud)
        }
    }

    /// Every file below `directory` of the resources, in path order, placed under `destination`.
    static func resources(
        under directory: String, as destination: String, missing: () -> BundleError
    ) throws(BundleError) -> [GeneratedFile] {
        guard let resources = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw .missingResource("Resources")
        }
        let root = resources.appendingPathComponent(directory)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { throw missing() }
        var files: [GeneratedFile] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            guard let contents = try? String(contentsOf: root.appendingPathComponent(name), encoding: .utf8) else {
                throw .missingResource("\(directory)/\(name)")
            }
            files.append(GeneratedFile(path: "\(destination)/\(name)", contents: contents))
        }
        if files.isEmpty { throw missing() }
        return files
    }
}
