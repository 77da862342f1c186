import Foundation

/// How generated CI keeps marks in the repository itself (docs/platforms.md, "Keeping marks in
/// CI"): a ref `refs/slipway/marks/<instance slug>` per instance, pointing at a mark commit.
///
/// A mark commit has the empty tree, the marked commit as its only parent (which keeps that commit
/// reachable after a force push) and a message whose trailers carry the fingerprint and the Unix
/// time of success:
///
/// ```
/// slipway mark apply@prod
///
/// Slipway-Fingerprint: 4f2a…
/// Slipway-Succeeded-At: 1764582000
/// ```
public enum MarkRefs {
    /// The namespace of the refs.
    public static let prefix = "refs/slipway/marks/"
    /// The refspec that fetches every mark.
    public static let refspec = refspec(from: prefix)
    /// Where Bitbucket keeps the marks on the remote: tags `slipway-marks/<slug>`, the only refs
    /// besides branches its documentation says a pipeline may push (docs/platforms.md).
    public static let tagPrefix = "refs/tags/slipway-marks/"

    /// The refspec that fetches every mark kept under `remotePrefix` on the remote into `prefix`.
    public static func refspec(from remotePrefix: String) -> String { "+\(remotePrefix)*:\(prefix)*" }
    /// The trailer holding the fingerprint.
    public static let fingerprintTrailer = "Slipway-Fingerprint"
    /// The trailer holding the time of success, in seconds since 1970.
    public static let succeededAtTrailer = "Slipway-Succeeded-At"
    /// git's empty tree, the tree of every mark commit.
    public static let emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    /// The `git for-each-ref` format `marks(fromForEachRef:)` reads: name after the prefix,
    /// parent and message body, each ended by a NUL.
    public static let forEachRefFormat = "%(refname:lstrip=3)%00%(parent)%00%(contents:body)%00"

    /// The marks in `output` of `git for-each-ref --format=<forEachRefFormat> refs/slipway/marks/`,
    /// by instance slug; a ref whose commit is not a mark commit is left out.
    public static func marks(fromForEachRef output: [UInt8]) -> [String: Mark] {
        let fields = output.split(separator: 0, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        var marks: [String: Mark] = [:]
        var index = 0
        while index + 2 < fields.count {
            let (slug, parent, body) = (fields[index], fields[index + 1], fields[index + 2])
            index += 3
            var trailers: [String: String] = [:]
            // Read as the generated detection step reads them: the first of each, after ": ".
            for line in body.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = String(line[..<colon])
                let value = line[line.index(after: colon)...]
                if trailers[key] == nil, value.hasPrefix(" ") { trailers[key] = String(value.dropFirst()) }
            }
            // As strict as the generated detection step: one parent, a full hex id; up to 18 digits.
            guard !slug.isEmpty, parent.count == 40 || parent.count == 64,
                parent.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }),
                let fingerprint = trailers[fingerprintTrailer],
                let text = trailers[succeededAtTrailer], (1...18).contains(text.count),
                text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }), let seconds = Int(text)
            else { continue }
            marks[slug] = Mark(
                commit: parent, fingerprint: fingerprint, succeededAt: Date(timeIntervalSince1970: Double(seconds)))
        }
        return marks
    }
}
