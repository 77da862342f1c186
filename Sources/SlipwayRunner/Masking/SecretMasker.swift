import Foundation

/// Replaces every secret value in a byte stream with `***`, also when a process writes a value
/// in pieces across several writes.
///
/// The masker keeps back the last `longest - 1` bytes of what it has seen, because they may be
/// the start of a secret whose rest has not arrived; everything before that is final and is
/// returned masked. `finish()` releases the rest. Memory stays bounded by one chunk plus the
/// longest secret, whatever the stream's length.
public struct SecretMasker: Sendable {
    /// What replaces a secret value.
    public static let replacement = Array("***".utf8)

    private let secrets: [[UInt8]]
    private let longest: Int
    private var carry: [UInt8] = []

    /// Creates a masker for `values`; empty values are ignored, and longer values are matched
    /// first so that a value containing another is masked whole.
    public init(values: [String]) {
        let unique = Set(values.filter { !$0.isEmpty }).map { Array($0.utf8) }
        secrets = unique.sorted { $0.count > $1.count }
        longest = secrets.first?.count ?? 0
    }

    /// The shortest line of a multi-line value masked on its own: shorter lines (a `}` of JSON)
    /// identify nothing and would mask ordinary output wherever they appear.
    public static let shortestMaskedLine = 8

    /// Below this length a value is masked but worth a warning: every occurrence of those few
    /// characters in the output becomes `***`.
    public static let shortestUnremarkableValue = 6

    /// Everything to mask for a secret `value`: the value; each line of a multi-line value (trimmed,
    /// as GitHub's runner does, so a key printed a line at a time stays hidden); and its base64
    /// encoding without padding (how Kubernetes secrets and many tools print it, unwrapped).
    public static func forms(of value: String) -> [String] {
        guard !value.isEmpty else { return [] }
        var forms = [value]
        let lines = value.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
        if lines.count > 1 {
            for line in lines {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.count >= shortestMaskedLine { forms.append(trimmed) }
            }
        }
        if value.utf8.count >= shortestUnremarkableValue {
            var encoded = Data(value.utf8).base64EncodedString()
            while encoded.hasSuffix("=") { encoded.removeLast() }
            forms.append(encoded)
        }
        return forms
    }

    /// Whether there is anything to mask.
    public var isEmpty: Bool { secrets.isEmpty }

    /// Masks a string in one piece (for messages and stored text).
    public func mask(_ text: String) -> String {
        var copy = self
        let bytes = copy.process(Array(text.utf8)) + copy.finish()
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Feeds the next chunk; returns the bytes that are now final, masked.
    public mutating func process(_ chunk: [UInt8]) -> [UInt8] {
        if secrets.isEmpty { return chunk }
        carry += chunk
        let (output, consumed) = maskPrefix(of: carry, keepingBack: longest - 1)
        carry.removeFirst(consumed)
        return output
    }

    /// Releases what was kept back, masked; call once at the end of the stream.
    public mutating func finish() -> [UInt8] {
        if secrets.isEmpty { return [] }
        let (output, _) = maskPrefix(of: carry, keepingBack: 0)
        carry.removeAll()
        return output
    }

    /// Masks `buffer` up to the point where `keepingBack` bytes remain, never cutting through a
    /// secret; returns the output and how many input bytes it covers.
    private func maskPrefix(of buffer: [UInt8], keepingBack: Int) -> (output: [UInt8], consumed: Int) {
        let limit = buffer.count - keepingBack
        guard limit > 0 else { return ([], 0) }
        var output: [UInt8] = []
        output.reserveCapacity(limit)
        var index = 0
        var copiedUpTo = 0
        buffer.withUnsafeBufferPointer { bytes in
            while index < limit {
                // Look for the next possible secret start with memchr on each secret's first byte.
                var nearest = limit
                for secret in secrets {
                    let first = secret[0]
                    if let base = bytes.baseAddress,
                        let found = memchr(base + index, Int32(first), nearest - index)
                    {
                        nearest = min(nearest, base.distance(to: found.assumingMemoryBound(to: UInt8.self)))
                    }
                }
                if nearest >= limit { break }
                var matched = 0
                for secret in secrets where nearest + secret.count <= bytes.count {
                    if memcmp(bytes.baseAddress! + nearest, secret, secret.count) == 0 {
                        matched = secret.count
                        break
                    }
                }
                if matched > 0 {
                    output.append(contentsOf: bytes[copiedUpTo..<nearest])
                    output.append(contentsOf: Self.replacement)
                    index = nearest + matched
                    copiedUpTo = index
                } else {
                    index = nearest + 1
                }
            }
            // A match may have run past the limit: it is masked, and the cut moves after it.
            let end = max(limit, copiedUpTo)
            output.append(contentsOf: bytes[copiedUpTo..<end])
            index = end
        }
        return (output, index)
    }
}
