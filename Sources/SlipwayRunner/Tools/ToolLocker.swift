import Foundation
import SlipwayCore

/// Reads the SHA-256 of each platform's release of a pinned tool from the project's published
/// checksum file, for `slipway tools lock`.
///
/// A project that publishes no checksum file (age, the AWS CLI, gcloud) has its archive
/// downloaded and hashed instead, and the result says so: that digest is only as trustworthy as
/// the connection it came over (trust on first use).
public struct ToolLocker: Sendable {
    /// Where a digest came from.
    public enum Source: Sendable, Hashable {
        /// Read from the project's checksum file, fetched from this address (the mirror's when
        /// there is one).
        case published(String)
        /// Computed from the archive downloaded from this address.
        case computed(String)

        /// The address the digest was read from.
        public var address: String {
            switch self {
            case .published(let address), .computed(let address): return address
            }
        }
    }

    /// A digest read for one platform.
    public struct Digest: Sendable, Hashable {
        /// 64 lowercase hex digits.
        public var sha256: String
        /// Where it came from.
        public var source: Source
    }

    private let fetcher: ToolFetcher
    /// The mirror digests are fetched through, if any.
    public var mirror: String? { fetcher.mirror.flatMap { $0.isEmpty ? nil : $0 } }
    private let scratch: String

    /// Creates a locker that fetches through `mirror` with curl found on `path`, downloading
    /// archives it must hash itself into `scratch`.
    public init(mirror: String?, path: String?, scratch: String, runner: ProcessRunner = ProcessRunner()) {
        self.fetcher = ToolFetcher(mirror: mirror, path: path, runner: runner)
        self.scratch = scratch
    }

    /// The digest of `tool`'s release for each of `platforms` it is published for, or why it
    /// could not be read; a checksum file that covers several platforms is fetched once.
    public func digests(for tool: PinnedTool, platforms: [ToolPlatform]) async -> [(
        platform: ToolPlatform, result: Result<Digest, ToolInstallError>
    )] {
        var files: [String: Result<String, ToolInstallError>] = [:]
        var results: [(ToolPlatform, Result<Digest, ToolInstallError>)] = []
        for platform in platforms {
            guard let release = tool.release(for: platform) else { continue }
            guard let checksums = release.checksumsURL else {
                results.append((platform, await computed(tool, release)))
                continue
            }
            if files[checksums] == nil {
                do {
                    files[checksums] = .success(try await fetcher.text(tool: tool.name, url: checksums))
                } catch {
                    files[checksums] = .failure(error)
                }
            }
            switch files[checksums] {
            case .success(let text):
                if let digest = ChecksumFile.digest(for: release.assetName, in: text) {
                    results.append(
                        (platform, .success(Digest(sha256: digest, source: .published(fetcher.address(checksums))))))
                } else {
                    results.append(
                        (
                            platform,
                            .failure(
                                .notInChecksumFile(
                                    tool: tool.name, asset: release.assetName, url: fetcher.address(checksums)))
                        ))
                }
            case .failure(let error):
                results.append((platform, .failure(error)))
            case nil:
                break
            }
        }
        return results
    }

    private func computed(_ tool: PinnedTool, _ release: ToolRelease) async -> Result<Digest, ToolInstallError> {
        let manager = FileManager.default
        let directory = "\(scratch)/\(ToolCacheLayout.partialPrefix)\(UUID().uuidString)"
        defer { try? manager.removeItem(atPath: directory) }
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            return .failure(.cacheUnwritable(path: scratch, reason: error.localizedDescription))
        }
        do {
            let file = "\(directory)/\(release.assetName)"
            try await fetcher.download(tool: tool.name, url: release.url, to: file)
            let digest = try ToolInstaller.sha256(ofFile: file, tool: tool.name, url: release.url)
            return .success(Digest(sha256: digest, source: .computed(fetcher.address(release.url))))
        } catch {
            return .failure(error)
        }
    }
}
