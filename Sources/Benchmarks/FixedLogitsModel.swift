import Decoding
import LNTune

/// A language model whose forward is (almost) free, for `DecodingBenchmark`: the logits of a row are one of
/// 8 fixed pseudo-random rows, chosen by the row's last token.
struct FixedLogitsModel: CausalLanguageModel {
    let vocabularySize: Int
    var maxSequenceLength: Int { 1 << 20 }
    let table: [Float]
    private var last: [Int] = []

    init(vocabularySize: Int) {
        self.vocabularySize = vocabularySize
        var generator = Xoshiro256StarStar(seed: 1)
        table = (0..<(8 * vocabularySize)).map { _ in Float(generator.nextDouble() * 12 - 6) }
    }

    mutating func prefill(_ prompts: [[Int]], maxNewTokens: Int) throws -> [Float] {
        last = prompts.map { $0.last ?? 0 }
        return rows()
    }

    mutating func step(_ tokens: [Int]) throws -> [Float] {
        last = tokens
        return rows()
    }

    mutating func reorderCache(_ order: [Int]) throws { last = order.map { last[$0] } }

    private func rows() -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(last.count * vocabularySize)
        for token in last {
            let r = (token &* 2_654_435_761) & 7
            out.append(contentsOf: table[(r * vocabularySize)..<((r + 1) * vocabularySize)])
        }
        return out
    }
}
