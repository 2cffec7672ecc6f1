import Foundation
import Testing

import Datasets

/// Sources and targets chosen to stress pre-token boundaries: leading/trailing/double spaces, a leading
/// newline or tab, punctuation and digits right at the start, contractions, non-ASCII.
private let trickyPairs: [(String, String)] = [
    ("name : Aster | area : riverside", "Aster is by the river."),
    (" | Oslo : country : Norway", "  Oslo lies in Norway. "),
    ("#Person1#: Hi!\n#Person2#: Hello.", "\nA greeting."),
    ("a : 1", ".5 is a number"),
    ("a : 1", "'s own"),
    ("a : 1", "\tTabbed."),
    ("price : £20-25", "£20-25, or 20 pounds."),
    ("x", "7 days"),
    ("Café Ondine  ", " Café Ondine serves  French food. "),
]

/// For every bundled template, encoding the prompt and the target separately gives exactly the tokens of
/// the joined text under a GPT-2-like pre-tokenizer, so the loss-mask boundary is exact.
@Test(arguments: DatasetTask.allCases)
func promptAndTargetEncodeLikeTheJoinedText(task: DatasetTask) throws {
    let template = try task.bundledTemplate()
    let fake = PreTokenizingEncoder()
    let encoder = try SequenceEncoder(template: template, encoder: fake, maxLength: 1024, overflow: .reject)
    for (source, target) in trickyPairs {
        let sequence = try encoder.encode(TrainingPair(id: "p", source: source, target: target))
        let joined = try fake.encode(template.text(source: source, target: target), allowSpecial: true)
        #expect(
            sequence.tokens.map(Int.init) == joined, "\(task) \(source.debugDescription) \(target.debugDescription)")
        let prompt = try encoder.encodePrompt(Example(id: "p", source: source, references: []))
        #expect(Array(sequence.tokens[..<sequence.targetStart]) == prompt.tokens)
    }
}

/// The stand-in encoder really is boundary-sensitive: the splits the template rules forbid would change
/// the tokens. (If this failed, the test above would prove nothing.)
@Test func preTokenizerIsBoundarySensitive() throws {
    let fake = PreTokenizingEncoder()
    let split = try fake.encode("Summary:", allowSpecial: false) + fake.encode(".5 apples", allowSpecial: false)
    #expect(split != (try fake.encode("Summary:.5 apples", allowSpecial: false)))
    let spaceInPrompt = try fake.encode("Summary: ", allowSpecial: false) + fake.encode("Tea", allowSpecial: false)
    #expect(spaceInPrompt != (try fake.encode("Summary: Tea", allowSpecial: false)))
    let newline = try fake.encode("Summary:\n", allowSpecial: false) + fake.encode("  Tea", allowSpecial: false)
    #expect(newline != (try fake.encode("Summary:\n  Tea", allowSpecial: false)))
}

/// The string `<|endoftext|>` inside data stays text; only the template's own occurrences become the
/// special id.
@Test func dataCannotInjectSpecialTokens() throws {
    let template = try DatasetTask.jsonl.bundledTemplate()
    let encoder = try SequenceEncoder(
        template: template, encoder: PreTokenizingEncoder(), maxLength: 1024, overflow: .reject)
    let pair = TrainingPair(id: "x", source: "a <|endoftext|> b", target: "c<|endoftext|>")
    let tokens = try encoder.encode(pair).tokens
    #expect(tokens.filter { $0 == 50_256 }.count == 2)
    let bytes = try SequenceEncoder(template: template, encoder: ByteTokenEncoder(), maxLength: 1024, overflow: .reject)
    #expect(try bytes.encode(pair).tokens.filter { $0 == 256 }.count == 2)
}

/// With the byte encoder every position is predictable: the prompt is ` S <|endoftext|>` and the target
/// ` T <|endoftext|>`.
@Test func targetStartIsExact() throws {
    let encoder = try SequenceEncoder(
        template: DatasetTask.e2e.bundledTemplate(), encoder: ByteTokenEncoder(), maxLength: 64, overflow: .reject)
    let sequence = try encoder.encode(TrainingPair(id: "p", source: "S", target: "T"))
    #expect(sequence.tokens == [32, 83, 32, 256, 32, 84, 32, 256])
    #expect(sequence.targetStart == 4)
    #expect(sequence.truncatedCharacters == 0)
}

/// Table-to-text never truncates: a pair over the limit is `tooLong`, or skipped and listed.
@Test func tableToTextOverflowIsReported() throws {
    let encoder = try SequenceEncoder(
        template: DatasetTask.e2e.bundledTemplate(), encoder: ByteTokenEncoder(), maxLength: 20, overflow: .reject)
    let short = TrainingPair(id: "ok", source: "a", target: "b")
    let long = TrainingPair(id: "long", source: "name : A very long restaurant name", target: "b")
    #expect(
        throws: DatasetError.tooLong(
            example: "long", tokens: 41, maxLength: 20,
            hint: "this task never truncates its input; raise the maximum length or skip such rows")
    ) {
        try encoder.encodeAll([short, long])
    }
    let kept = try encoder.encodeAll([short, long, short], onBadRow: .skip)
    #expect(kept.sequences.map(\.id) == ["ok", "ok"])
    #expect(kept.skipped.count == 1)
}

/// Summarization cuts the dialogue from the left at a word boundary, keeps the template and the whole
/// target, fits the limit, and cuts no more than needed (one word less would not fit).
@Test(arguments: [40, 48, 57, 70])
func summarizationTruncatesTheSourceFromTheLeft(maxLength: Int) throws {
    let template = try DatasetTask.dialogsum.bundledTemplate()
    let bytes = ByteTokenEncoder()
    let encoder = try SequenceEncoder(
        template: template, encoder: bytes, maxLength: maxLength, overflow: .truncateSourceFromLeft)
    let source = "#Person1#: Shall we meet at noon?\n#Person2#: Noon is fine, see you."
    let target = "They meet at noon."
    let sequence = try encoder.encode(TrainingPair(id: "d", source: source, target: target))
    #expect(sequence.tokens.count <= maxLength)
    let targetTokens = try bytes.encode(" " + target + "<|endoftext|>", allowSpecial: true).map(Int32.init)
    #expect(Array(sequence.tokens[sequence.targetStart...]) == targetTokens)
    let kept = String(source.dropFirst(sequence.truncatedCharacters))
    #expect(sequence.truncatedCharacters > 0)
    #expect(
        Array(sequence.tokens[..<sequence.targetStart])
            == (try bytes.encode("Dialogue:\n\(kept)\nSummary:", allowSpecial: false).map(Int32.init)))
    // A word boundary: the cut follows whitespace and the kept text starts with a non-space (or all is cut).
    let cut = source.index(source.startIndex, offsetBy: sequence.truncatedCharacters)
    if cut < source.endIndex {
        #expect(source[source.index(before: cut)].isWhitespace && !(kept.first?.isWhitespace ?? true))
    }
    // Maximal: starting at the previous word (or at the very beginning) would exceed the limit.
    let wordStarts = source.indices.filter { i in
        i > source.startIndex && source[source.index(before: i)].isWhitespace && !source[i].isWhitespace
    }
    let previous = wordStarts.last(where: { $0 < cut }) ?? source.startIndex
    let longer = "Dialogue:\n\(source[previous...])\nSummary:".utf8.count + targetTokens.count
    #expect(longer > maxLength)
}

/// When even the template and target alone exceed the limit, summarization reports the row too.
@Test func summarizationReportsWhatCannotFit() throws {
    let encoder = try SequenceEncoder(
        template: DatasetTask.samsum.bundledTemplate(), encoder: ByteTokenEncoder(), maxLength: 30,
        overflow: .truncateSourceFromLeft)
    #expect(throws: DatasetError.self) {
        try encoder.encode(TrainingPair(id: "d", source: "A: hi", target: "A summary far too long to fit at all."))
    }
}

/// A tokenizer that does not know `<|endoftext|>` as one id is rejected up front.
@Test func unknownSpecialTokenIsRejected() throws {
    struct NoSpecials: TokenEncoder {
        var endOfTextID: Int? { nil }
        func encode(_ text: String, allowSpecial: Bool) throws -> [Int] { text.utf8.map { Int($0) } }
    }
    #expect(
        throws: DatasetError.unknownSpecialToken(token: "<|endoftext|>", ids: Array("<|endoftext|>".utf8).map(Int.init))
    ) {
        try SequenceEncoder(
            template: DatasetTask.e2e.bundledTemplate(), encoder: NoSpecials(), maxLength: 8, overflow: .reject)
    }
}
