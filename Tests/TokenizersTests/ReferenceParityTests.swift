import Foundation
import Testing
import TestSupport
import Tokenizers

/// Checks every adversarial string under every policy against the reference ids.
private func checkParity(_ tokenizer: GPT2Tokenizer, _ expected: ExpectedIDs, _ label: String) throws {
    let fixture = try AdversarialStrings.load()
    #expect(expected.allow.count == fixture.strings.count)
    for policy in SpecialTokenPolicy.allCases {
        for (index, text) in fixture.strings.enumerated() {
            let name = "\(label) [\(policy)] #\(index) \(fixture.names[index]): \(show(text))"
            if let ids = expected.ids(index, policy) {
                let got = try tokenizer.encode(text, special: policy)
                #expect(got == ids, "\(name)")
            } else {
                let location = try #require(expected.reject[String(index)])
                #expect(
                    throws: TokenizerError.disallowedSpecialToken(
                        token: "<|endoftext|>", text: nil, line: location.line, byteOffset: location.byteOffset)
                ) { try tokenizer.encode(text, special: .reject) }
            }
        }
    }
}

/// Decoding id sequences (many of them broken UTF-8) gives exactly the references' lossy text.
private func checkDecode(_ tokenizer: GPT2Tokenizer, _ expected: ExpectedIDs, _ label: String) throws {
    for (index, item) in expected.decode.enumerated() {
        let text = try tokenizer.decode(item.ids)
        #expect(Array(text.unicodeScalars) == Array(item.text.unicodeScalars), "\(label) decode #\(index) \(item.ids)")
    }
    #expect(tokenizer.vocabularySize == expected.vocabularySize)
    #expect(tokenizer.endOfTextID == expected.endOfTextID)
}

/// The tiny BPE (trained by HF tokenizers on project text) encodes every adversarial string exactly as
/// HF tokenizers does, under allow/text/reject, and decodes like it.
@Test func tinyBPEMatchesHFTokenizers() throws {
    let tokenizer = try TestTokenizers.tiny()
    let expected = try TestTokenizers.tinyExpected.value()
    try checkParity(tokenizer, expected, "tiny")
    try checkDecode(tokenizer, expected, "tiny")
}

/// The real GPT-2 vocab.json + merges.txt give HF's and tiktoken's ids (which the script asserts equal).
@Test(TestTokenizers.needsGPT2)
func gpt2VocabMergesMatchReferences() throws {
    let tokenizer = try TestTokenizers.gpt2()
    let expected = try TestTokenizers.gpt2Expected.value()
    try checkParity(tokenizer, expected, "gpt2 vocab/merges")
    try checkDecode(tokenizer, expected, "gpt2 vocab/merges")
}

/// The tiktoken rank file loads into the same tokenizer: same ids, same decoding, EOT after the ranks.
@Test(TestTokenizers.needsGPT2)
func gpt2TiktokenMatchesReferences() throws {
    let tokenizer = try TestTokenizers.gpt2Tiktoken()
    let expected = try TestTokenizers.gpt2Expected.value()
    try checkParity(tokenizer, expected, "gpt2 tiktoken")
    try checkDecode(tokenizer, expected, "gpt2 tiktoken")
}

/// Vocabulary strings map to ids and back in the files' byte-level spelling.
@Test(TestTokenizers.needsGPT2)
func gpt2TokenStrings() throws {
    for tokenizer in [try TestTokenizers.gpt2(), try TestTokenizers.gpt2Tiktoken()] {
        #expect(tokenizer.id(for: "Ġthe") == 262)
        #expect(tokenizer.id(for: "Hello") == 15496)
        #expect(tokenizer.token(for: 262) == "Ġthe")
        #expect(tokenizer.token(for: 198) == "Ċ")
        #expect(tokenizer.token(for: 50256) == "<|endoftext|>")
        #expect(tokenizer.id(for: "<|endoftext|>") == 50256)
        #expect(tokenizer.token(for: 50257) == nil)
        #expect(tokenizer.token(for: -1) == nil)
        #expect(tokenizer.id(for: "no such token ☃") == nil)
        for id in stride(from: 0, to: 50257, by: 97) {
            let token = try #require(tokenizer.token(for: id))
            #expect(tokenizer.id(for: token) == id)
        }
    }
}
