import Foundation
import Testing
import TestSupport
import Tokenizers

/// Random strings over scalars from every region the pre-tokenizer distinguishes (ASCII, Latin-1,
/// whitespace specials, combining marks, CJK, astral emoji and private use).
func randomStrings(count: Int, seed: UInt64) -> [String] {
    var rng = SeededRandom(seed: seed)
    let ranges: [ClosedRange<UInt32>] = [
        0x00...0x7F, 0x20...0x7E, 0x20...0x7E, 0x80...0xFF, 0x300...0x36F, 0x370...0x3FF, 0x400...0x4FF,
        0x600...0x6FF, 0x900...0x97F, 0x2000...0x206F, 0x2150...0x218F, 0x3000...0x303F, 0x4E00...0x9FFF,
        0xAC00...0xD7A3, 0xE000...0xF8FF, 0xFE00...0xFFFF, 0x1F300...0x1FAFF, 0x20000...0x2A6DF, 0x10FFF0...0x10FFFF,
    ]
    let apostrophes = ["'s", "'S", "'t", "'re", "'ve", "'m", "'ll", "'d", " ", "  ", "\n", "\r\n", "\u{85}", "\u{A0}"]
    return (0..<count).map { _ in
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...40, using: &rng) {
            if Int.random(in: 0..<5, using: &rng) == 0 {
                text.append(contentsOf: apostrophes[Int.random(in: 0..<apostrophes.count, using: &rng)].unicodeScalars)
            } else if let scalar = Unicode.Scalar(
                UInt32.random(in: ranges[Int.random(in: 0..<ranges.count, using: &rng)], using: &rng))
            {
                text.append(scalar)  // nil only for surrogates, which no range contains
            }
        }
        return String(text)
    }
}

/// The tokenizers the shared checks run over: the tiny BPE in one test, the real GPT-2 ones (vocab/merges and
/// tiktoken, from ../shared) in a twin test behind `needsGPT2`, so a run without ../shared reports what it
/// skipped instead of silently checking less.
enum TokenizerSet {
    case tiny, gpt2

    func tokenizers() throws -> [(label: String, tokenizer: GPT2Tokenizer)] {
        switch self {
        case .tiny: [("tiny", try TestTokenizers.tiny())]
        case .gpt2: [("gpt2", try TestTokenizers.gpt2()), ("gpt2 tiktoken", try TestTokenizers.gpt2Tiktoken())]
        }
    }

    /// The reference ids for this set's vocabulary.
    func expected() throws -> ExpectedIDs {
        switch self {
        case .tiny: try TestTokenizers.tinyExpected.value()
        case .gpt2: try TestTokenizers.gpt2Expected.value()
        }
    }
}

/// decode(encode(s)) reproduces s byte for byte, for every adversarial and 2,000 seeded random strings,
/// under `.allow` and `.text` (byte-level BPE loses nothing).
@Test func roundTrip() throws { try checkRoundTrip(.tiny) }

/// The same with the real GPT-2 tokenizers.
@Test(TestTokenizers.needsGPT2) func roundTripGPT2() throws { try checkRoundTrip(.gpt2) }

private func checkRoundTrip(_ set: TokenizerSet) throws {
    let strings = try AdversarialStrings.load().strings + randomStrings(count: 2000, seed: 42)
    for (label, tokenizer) in try set.tokenizers() {
        for policy in [SpecialTokenPolicy.allow, .text] {
            for text in strings {
                let decoded = try tokenizer.decode(try tokenizer.encode(text, special: policy))
                #expect(Array(decoded.utf8) == Array(text.utf8), "\(label) [\(policy)] \(show(text))")
            }
        }
    }
}

/// Batch encoding on 1 and 2 threads returns exactly the per-text encodings, in order.
@Test func batchEqualsSingle() throws { try checkBatchEqualsSingle(.tiny) }

/// The same with the real GPT-2 tokenizers.
@Test(TestTokenizers.needsGPT2) func batchEqualsSingleGPT2() throws { try checkBatchEqualsSingle(.gpt2) }

private func checkBatchEqualsSingle(_ set: TokenizerSet) throws {
    let strings = try AdversarialStrings.load().strings + randomStrings(count: 500, seed: 7)
    for (label, tokenizer) in try set.tokenizers() {
        let single = try strings.map { try tokenizer.encode($0, special: .text) }
        for threads in [1, 2, 4] {
            let batch = try tokenizer.encodeBatch(strings, special: .text, threads: threads)
            #expect(batch == single, "\(label) threads \(threads)")
        }
    }
}

/// A rejected special token in a batch is reported for the first text that holds one, with its place.
@Test func batchRejectNamesFirstOffendingText() throws {
    let tokenizer = try TestTokenizers.tiny()
    let texts =
        (0..<100).map { "line \($0)" } + ["ok", "first\nsecond <|endoftext|>"] + (0..<50).map { "x<|endoftext|>\($0)" }
    #expect(throws: TokenizerError.disallowedSpecialToken(token: "<|endoftext|>", text: 101, line: 2, byteOffset: 7)) {
        try tokenizer.encodeBatch(texts, special: .reject)
    }
    #expect(try tokenizer.encodeBatch(texts, special: .allow).count == texts.count)
}

/// Many threads encoding at once on one tokenizer (sharing its word-cache pool) agree with a serial run.
@Test func concurrentEncodingIsConsistent() async throws {
    let tokenizer = try TestTokenizers.tiny()
    let strings = randomStrings(count: 200, seed: 99)
    let expected = try strings.map { try tokenizer.encode($0) }
    try await withThrowingTaskGroup(of: Bool.self) { group in
        for worker in 0..<8 {
            group.addTask {
                var same = true
                for (index, text) in strings.enumerated() where (index + worker) % 2 == 0 {
                    let ids = try tokenizer.encode(text)
                    same = same && ids == expected[index]
                }
                return same
            }
        }
        for try await same in group { #expect(same) }
    }
}
