import Foundation
import Testing
import TestSupport
import Tokenizers

/// Streams ids one at a time and joins the outputs.
private func streamed(_ tokenizer: GPT2Tokenizer, _ ids: [Int]) throws -> (String, [String]) {
    var decoder = IncrementalDecoder(tokenizer: tokenizer)
    var pieces: [String] = []
    for id in ids { pieces.append(try decoder.append(id)) }
    pieces.append(decoder.finish())
    return (pieces.joined(), pieces)
}

/// Streaming decode of every fixture decode case (broken UTF-8 included) and of every encoded adversarial
/// string joins to exactly `decode(ids)`, and no piece ever ends inside a character.
@Test func incrementalDecodingMatchesDecode() throws { try checkIncrementalDecoding(.tiny) }

/// The same with the real GPT-2 tokenizers.
@Test(TestTokenizers.needsGPT2) func incrementalDecodingMatchesDecodeGPT2() throws {
    try checkIncrementalDecoding(.gpt2)
}

private func checkIncrementalDecoding(_ set: TokenizerSet) throws {
    let strings = try AdversarialStrings.load().strings
    var cases: [(String, GPT2Tokenizer, [Int])] = []
    for (label, tokenizer) in try set.tokenizers() {
        for item in try set.expected().decode { cases.append((label, tokenizer, item.ids)) }
        for text in strings { cases.append((label, tokenizer, try tokenizer.encode(text))) }
    }
    for (label, tokenizer, ids) in cases {
        let (joined, pieces) = try streamed(tokenizer, ids)
        let whole = try tokenizer.decode(ids)
        #expect(Array(joined.unicodeScalars) == Array(whole.unicodeScalars), "\(label) \(ids)")
        // Held-back bytes mean no valid multi-byte character is split into two replacement characters.
        #expect(joined.unicodeScalars.count == whole.unicodeScalars.count, "\(label) \(ids): \(pieces)")
    }
}

/// A character split over byte tokens appears only once its last byte arrives.
@Test(TestTokenizers.needsGPT2)
func incrementalDecoderHoldsPartialCharacters() throws {
    let tokenizer = try TestTokenizers.gpt2()
    let ids = try tokenizer.encode("𝄞")  // U+1D11E = F0 9D 84 9E: tokens F09D, 84, 9E in GPT-2
    #expect(ids.count > 1)
    let (_, pieces) = try streamed(tokenizer, ids)
    let early = pieces.dropLast(2).filter { !$0.isEmpty }
    #expect(early.isEmpty)
    #expect(pieces[pieces.count - 2] == "𝄞")
}

/// Unknown ids are errors naming the id and its position, in both decoders.
@Test func unknownIDsAreNamed() throws {
    let tokenizer = try TestTokenizers.tiny()
    let size = tokenizer.vocabularySize
    #expect(throws: TokenizerError.unknownID(size, position: 2)) { try tokenizer.decode([40, 41, size]) }
    #expect(throws: TokenizerError.unknownID(-1, position: 0)) { try tokenizer.decode([-1]) }
    var decoder = IncrementalDecoder(tokenizer: tokenizer)
    _ = try decoder.append(40)
    #expect(throws: TokenizerError.unknownID(size + 5, position: 1)) { try decoder.append(size + 5) }
    #expect(TokenizerError.unknownID(size, position: 2).description.contains("\(size)"))
}
