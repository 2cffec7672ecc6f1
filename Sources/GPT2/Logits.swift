/// Which token positions of a batch get logits.
public enum LogitRows: Sendable, Equatable {
    /// Position T−1 of every row: the newest token of a left-padded prompt or of a decoding step.
    case last
    /// The last real (mask 1) token of every row, for right-padded batches.
    case lastReal
    /// Every position, row-major.
    case all
    /// The given flat positions `b·T + t`, in this order.
    case positions([Int])

    /// The flat positions this selects in `batch`.
    func positions(in batch: TokenBatch) throws(GPT2Error) -> [Int] {
        let (nb, nt) = (batch.batchSize, batch.length)
        switch self {
        case .last: return (0..<nb).map { $0 * nt + nt - 1 }
        case .all: return Array(0..<(nb * nt))
        case .lastReal:
            var out: [Int] = []
            for b in 0..<nb {
                guard let t = (0..<nt).last(where: { batch.mask[b * nt + $0] != 0 }) else {
                    throw .invalidInput(argument: "batch", reason: "row \(b) has no real token (all padding)")
                }
                out.append(b * nt + t)
            }
            return out
        case let .positions(list):
            for p in list where p < 0 || p >= nb * nt {
                throw .invalidInput(argument: "logit position", reason: "\(p) is outside 0..<\(nb * nt) (B·T)")
            }
            return list
        }
    }
}

/// Logits `[rows, vocabSize]`, row i belonging to the flat batch position `positions[i]`.
public struct Logits: Sendable, Equatable {
    public let vocabSize: Int
    public let positions: [Int]
    public var values: [Float]

    public var rowCount: Int { positions.count }

    /// The `vocabSize` logits of row `i`.
    public subscript(row i: Int) -> ArraySlice<Float> { values[(i * vocabSize)..<((i + 1) * vocabSize)] }
}
