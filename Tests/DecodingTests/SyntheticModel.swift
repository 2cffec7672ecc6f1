import Decoding

/// The Swift twin of `synthetic_logits` in eval/reference/make_generate_fixtures.py (change both or neither):
/// logits are a deterministic function of a row's unpadded history, every value exact in float32, so the
/// decoders can be checked against transformers' `generate` without a real network.
///
/// It also records how the decoders drive it (rows per call, reorders), for the tests of the batching contract.
struct SyntheticModel: CausalLanguageModel {
    static let vocabulary = 50
    static let eos = 49
    static let positions = 64

    struct ContractViolation: Error, CustomStringConvertible {
        let description: String
    }

    var vocabularySize: Int { Self.vocabulary }
    var maxSequenceLength: Int { Self.positions }

    /// Unpadded history of each row.
    private(set) var rows: [[Int]] = []
    private(set) var prefillCalls = 0
    private(set) var stepCalls = 0
    private(set) var reorderCalls = 0
    /// Rows the model processed in total (prefill rows + step rows).
    private(set) var rowEvaluations = 0

    mutating func prefill(_ prompts: [[Int]], maxNewTokens: Int) throws -> [Float] {
        prefillCalls += 1
        rows = prompts
        return try logitsOfRows()
    }

    mutating func step(_ tokens: [Int]) throws -> [Float] {
        stepCalls += 1
        guard tokens.count == rows.count else {
            throw ContractViolation(description: "step with \(tokens.count) tokens for \(rows.count) rows")
        }
        for (r, token) in tokens.enumerated() { rows[r].append(token) }
        return try logitsOfRows()
    }

    mutating func reorderCache(_ order: [Int]) throws {
        reorderCalls += 1
        guard order.allSatisfy({ rows.indices.contains($0) }) else {
            throw ContractViolation(description: "reorder \(order) of \(rows.count) rows")
        }
        rows = order.map { rows[$0] }
    }

    private mutating func logitsOfRows() throws -> [Float] {
        rowEvaluations += rows.count
        var out: [Float] = []
        out.reserveCapacity(rows.count * Self.vocabulary)
        for row in rows {
            guard !row.isEmpty, row.count <= Self.positions else {
                throw ContractViolation(description: "row of length \(row.count)")
            }
            out.append(contentsOf: Self.logits(row))
        }
        return out
    }

    static func mix32(_ value: UInt32) -> UInt32 {
        var x = value
        x ^= x >> 16
        x = x &* 0x85EB_CA6B
        x ^= x >> 13
        x = x &* 0xC2B2_AE35
        x ^= x >> 16
        return x
    }

    /// A hash in [0, 1) on the 2^-18 grid.
    static func unit18(_ value: UInt32) -> Double { Double(mix32(value) >> 14) / 262_144 }

    /// Logits after `tokens` (unpadded, non-empty).
    static func logits(_ tokens: [Int]) -> [Float] {
        let n = UInt32(truncatingIfNeeded: tokens.count)
        let last = UInt32(truncatingIfNeeded: tokens[tokens.count - 1])
        var h: UInt32 = 2_166_136_261
        for t in tokens { h = (h ^ UInt32(truncatingIfNeeded: t)) &* 16_777_619 }
        var out = [Float](repeating: 0, count: vocabulary)
        for v in 0..<vocabulary {
            let u = UInt32(v)
            let a = unit18(last &* 1_315_423_911 &+ u) * 8 - 4
            let b = unit18(0x9E37_79B9 ^ (n &* 2_654_435_761 &+ u)) * 2 - 1
            let c = unit18(h &+ u &* 40503) * 0.5
            var value = (a + b) + c
            if v == eos { value += Double(tokens.count) * 0.125 - 2.5 }
            out[v] = Float(value)
        }
        return out
    }
}
