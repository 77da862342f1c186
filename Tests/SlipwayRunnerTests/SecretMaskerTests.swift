import SlipwayRunner
import SlipwayTesting
import Testing

/// Left to right, longest secret first: the masking the streaming masker must equal.
private func reference(_ text: [UInt8], _ secrets: [String]) -> [UInt8] {
    let values = secrets.filter { !$0.isEmpty }.map { Array($0.utf8) }.sorted { $0.count > $1.count }
    var output: [UInt8] = []
    var index = 0
    outer: while index < text.count {
        for value in values
        where index + value.count <= text.count && Array(text[index..<(index + value.count)]) == value {
            output += Array("***".utf8)
            index += value.count
            continue outer
        }
        output.append(text[index])
        index += 1
    }
    return output
}

@Suite struct SecretMaskerTests {
    @Test func masksEveryOccurrence() {
        let masker = SecretMasker(values: ["hunter2", "s3cr3t"])
        #expect(masker.mask("password=hunter2 token=s3cr3t again hunter2") == "password=*** token=*** again ***")
        #expect(SecretMasker(values: []).mask("nothing to hide") == "nothing to hide")
        #expect(SecretMasker(values: [""]).isEmpty)
    }

    @Test func aValueContainingAnotherIsMaskedWhole() {
        #expect(SecretMasker(values: ["abc", "abcdef"]).mask("xabcdefx abcx") == "x***x ***x")
    }

    @Test func valuesSplitAcrossWritesAreMaskedAtEverySplitPoint() {
        let text = Array("before AKIAIOSFODNN7EXAMPLE middle AKIAIOSFODNN7EXAMPLE after".utf8)
        for first in 0...text.count {
            for second in first...text.count {
                var masker = SecretMasker(values: ["AKIAIOSFODNN7EXAMPLE"])
                let output =
                    masker.process(Array(text[..<first])) + masker.process(Array(text[first..<second]))
                    + masker.process(Array(text[second...])) + masker.finish()
                #expect(
                    String(decoding: output, as: UTF8.self) == "before *** middle *** after",
                    "split at \(first), \(second)")
            }
        }
    }

    @Test func byteByByteWritesAreMasked() {
        var masker = SecretMasker(values: ["topsecret"])
        var output: [UInt8] = []
        for byte in Array("a topsecret b topsecre".utf8) { output += masker.process([byte]) }
        output += masker.finish()
        #expect(String(decoding: output, as: UTF8.self) == "a *** b topsecre")
    }

    @Test func randomStreamsMatchTheReference() {
        var generator = SeededGenerator(seed: 0x3A5C)
        let alphabet = Array("ab c".utf8)
        for _ in 0..<500 {
            let secrets = (0..<Int.random(in: 1...3, using: &generator)).map { _ in
                String(
                    decoding: (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                        alphabet.randomElement(using: &generator)!
                    }, as: UTF8.self)
            }
            let text = (0..<Int.random(in: 0...60, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            }
            var masker = SecretMasker(values: secrets)
            var output: [UInt8] = []
            var index = 0
            while index < text.count {
                let size = Int.random(in: 1...7, using: &generator)
                output += masker.process(Array(text[index..<min(text.count, index + size)]))
                index += size
            }
            output += masker.finish()
            #expect(
                output == reference(text, secrets), "secrets \(secrets) text \(String(decoding: text, as: UTF8.self))")
        }
    }
}
