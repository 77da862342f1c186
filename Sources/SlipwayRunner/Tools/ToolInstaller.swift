import Crypto
import Foundation
import SlipwayCore

/// Downloads a pinned tool's release, verifies its SHA-256 against `slipway.yml`, and installs it
/// into the tool cache, or installs nothing.
///
/// It does what the generated CI's install step does, in the same layout (`ToolCacheLayout`):
/// the archive is fetched with curl (unless `downloads/` holds it, verified), checked, kept in
/// `downloads/`, unpacked with tar or unzip in a `.partial-` directory, and renamed into place
/// only once it is whole, so an interrupted or altered download never leaves a tool behind.
public struct ToolInstaller: Sendable {
    /// What an install did.
    public enum Outcome: Sendable, Hashable {
        /// The cache already held the pinned release; its `bin` directory.
        case cached(String)
        /// The release was downloaded, verified and installed; its `bin` directory.
        case installed(String)
    }

    private let cache: ToolCache
    private let mirror: String?
    private let path: String?
    private let runner: ProcessRunner

    /// Creates an installer into `cache`, fetching through `mirror` (`ToolMirror`) and finding
    /// curl, tar and unzip on `path`.
    public init(cache: ToolCache, mirror: String?, path: String?, runner: ProcessRunner = ProcessRunner()) {
        self.cache = cache
        self.mirror = mirror
        self.path = path
        self.runner = runner
    }

    /// Installs `tool`'s pinned release for the cache's platform, unless the cache holds it.
    public func install(_ tool: PinnedTool) async throws(ToolInstallError) -> Outcome {
        let platform = cache.platform
        guard let release = tool.release(for: platform) else {
            throw .notPublished(tool: tool.name, version: tool.version, platform: platform.key)
        }
        guard let expected = release.sha256 else {
            throw .noDigest(tool: tool.name, version: tool.version, platform: platform.key)
        }
        if let bin = cache.installed(tool) { return .cached(bin) }
        cache.sweepAbandonedPartials()
        let fetcher = ToolFetcher(mirror: mirror, path: path, runner: runner)
        let manager = FileManager.default
        let archive = "\(cache.root)/\(ToolCacheLayout.downloads)/\(expected)"
        // A verified archive from an earlier install (or a CI cache) is not downloaded again.
        var isDirectory: ObjCBool = false
        let cachedArchive =
            manager.fileExists(atPath: archive, isDirectory: &isDirectory) && !isDirectory.boolValue
            && (try? Self.sha256(ofFile: archive, tool: tool.name, url: release.url)) == expected
        if !cachedArchive, ProcessRunner.locate("curl", path: path) == nil {
            throw .prerequisiteMissing(tool: tool.name, command: "curl")
        }
        let unzip: (command: String, arguments: [String])?
        if release.format == .zip {
            // As the generated install step does: unzip, or Python's zipfile where unzip is missing.
            if ProcessRunner.locate("unzip", path: path) != nil {
                unzip = ("unzip", ["-q", "-o", archive, "-d"])
            } else if ProcessRunner.locate("python3", path: path) != nil {
                unzip = ("python3", ["-m", "zipfile", "-e", archive])
            } else {
                throw .prerequisiteMissing(tool: tool.name, command: "unzip")
            }
        } else {
            unzip = nil
        }
        if release.format == .tarGzip, ProcessRunner.locate("tar", path: path) == nil {
            throw .prerequisiteMissing(tool: tool.name, command: "tar")
        }

        let partial = "\(cache.root)/\(ToolCacheLayout.partialPrefix)\(UUID().uuidString)"
        do {
            try manager.createDirectory(atPath: partial, withIntermediateDirectories: true)
        } catch {
            throw .cacheUnwritable(path: cache.root, reason: error.localizedDescription)
        }
        defer { try? manager.removeItem(atPath: partial) }

        if !cachedArchive {
            let download = "\(partial)/\(release.assetName)"
            try await fetcher.download(tool: tool.name, url: release.url, to: download)
            let actual = try Self.sha256(ofFile: download, tool: tool.name, url: release.url)
            guard actual == expected else {
                throw .checksumMismatch(
                    tool: tool.name, url: fetcher.address(release.url), expected: expected, actual: actual)
            }
            do {
                try manager.createDirectory(
                    atPath: (archive as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                if manager.fileExists(atPath: archive) { try manager.removeItem(atPath: archive) }
                try manager.moveItem(atPath: download, toPath: archive)
            } catch {
                throw .cacheUnwritable(path: cache.root, reason: error.localizedDescription)
            }
        }

        let files = "\(partial)/\(ToolCacheLayout.files)"
        do {
            try manager.createDirectory(atPath: files, withIntermediateDirectories: true)
            switch release.format {
            case .zip:
                if let unzip { try await unpack(tool, release, unzip.command, unzip.arguments + [files]) }
            case .tarGzip:
                try await unpack(tool, release, "tar", ["-xzf", archive, "-C", files])
            case .binary:
                try manager.copyItem(atPath: archive, toPath: "\(files)/\(release.executable)")
            }
            let executable = "\(files)/\(release.executable)"
            guard manager.fileExists(atPath: executable, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw ToolInstallError.executableMissing(
                    tool: tool.name, url: fetcher.address(release.url), path: release.executable)
            }
            try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: executable)
            let bin = "\(partial)/\(ToolCacheLayout.bin)"
            try manager.createDirectory(atPath: bin, withIntermediateDirectories: false)
            try manager.createSymbolicLink(
                atPath: "\(bin)/\(tool.name)", withDestinationPath: "../\(ToolCacheLayout.files)/\(release.executable)")
            try Data("\(expected)\n".utf8).write(to: URL(fileURLWithPath: "\(partial)/\(ToolCacheLayout.digest)"))
            let destination = cache.directory(for: tool)
            try manager.createDirectory(
                atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if manager.fileExists(atPath: destination) { try manager.removeItem(atPath: destination) }
            do {
                try manager.moveItem(atPath: partial, toPath: destination)
            } catch {
                // Another slipway installed the same release meanwhile: theirs is as good.
                if let bin = cache.installed(tool) { return .cached(bin) }
                throw error
            }
            return .installed("\(destination)/\(ToolCacheLayout.bin)")
        } catch let error as ToolInstallError {
            throw error
        } catch {
            throw .cacheUnwritable(path: cache.root, reason: error.localizedDescription)
        }
    }

    private func unpack(_ tool: PinnedTool, _ release: ToolRelease, _ command: String, _ arguments: [String])
        async throws(ToolInstallError)
    {
        let output: ProcessOutput
        do {
            output = try await runner.run(
                command, arguments: arguments, workingDirectory: nil, environment: path.map { ["PATH": $0] }, input: nil
            )
        } catch {
            throw .unpackFailed(tool: tool.name, url: release.url, reason: "\(command) could not start: \(error)")
        }
        guard output.status == 0 else {
            let reason = output.standardError.split(whereSeparator: \.isNewline).last.map(String.init)
            throw .unpackFailed(
                tool: tool.name, url: release.url, reason: reason ?? "\(command) exited with \(output.status)")
        }
    }

    /// The SHA-256 of a file, as 64 lowercase hex digits, read in pieces.
    static func sha256(ofFile path: String, tool: String, url: String) throws(ToolInstallError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .downloadFailed(tool: tool, url: url, reason: "the downloaded file is gone")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: 1 << 20)
            } catch {
                throw .downloadFailed(tool: tool, url: url, reason: "cannot read the download: \(error)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// Fetches release archives and checksum files with curl, through the mirror if there is one.
struct ToolFetcher: Sendable {
    let mirror: String?
    let path: String?
    let runner: ProcessRunner

    /// Where `url` is fetched from.
    func address(_ url: String) -> String {
        ToolMirror.url(url, mirror: mirror)
    }

    /// Downloads `url` to `file`.
    func download(tool: String, url: String, to file: String) async throws(ToolInstallError) {
        _ = try await curl(tool: tool, url: url, extra: ["--output", file])
    }

    /// The text at `url`.
    func text(tool: String, url: String) async throws(ToolInstallError) -> String {
        String(decoding: try await curl(tool: tool, url: url, extra: []), as: UTF8.self)
    }

    private func curl(tool: String, url: String, extra: [String]) async throws(ToolInstallError) -> [UInt8] {
        let address = address(url)
        let output: ProcessOutput
        do {
            output = try await runner.run(
                "curl",
                arguments: [
                    "--fail", "--silent", "--show-error", "--location", "--retry", "2", "--connect-timeout", "20",
                    "--max-time", "900",
                ] + extra + ["--", address],
                workingDirectory: nil, environment: path.map { ["PATH": $0] }, input: nil)
        } catch {
            throw .downloadFailed(tool: tool, url: address, reason: "curl could not start: \(error)")
        }
        guard output.status == 0 else {
            var reason = output.standardError.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
            // curl says `curl: (22) The requested URL returned error: 404`.
            if let close = reason.range(of: ") "), reason.hasPrefix("curl: (") {
                reason = String(reason[close.upperBound...])
            }
            throw .downloadFailed(
                tool: tool, url: address, reason: reason.isEmpty ? "curl exited with \(output.status)" : reason)
        }
        return output.standardOutput
    }
}
