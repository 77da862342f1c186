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
    /// The control plane's Terraform for `cloud`, at `terraform/<cloud>/` in the repository, with
    /// what belongs beside it: the state bucket's preparation (`prepare-backend.sh`) and, on AWS,
    /// the Route53 records of the endpoint (`dns/`).
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
        let root = resources.appendingPathComponent(directory).standardizedFileURL
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { throw missing() }
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
            files.append(GeneratedFile(path: "\(destination)/\(relative)", contents: contents))
        }
        if files.isEmpty { throw missing() }
        return files
    }
}
