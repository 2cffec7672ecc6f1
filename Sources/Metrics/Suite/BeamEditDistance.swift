import Foundation

/// sacreBLEU's `BeamEditDistance`: Levenshtein distance (unit costs) from a hypothesis to a reference,
/// computed only within a beam around the length-scaled diagonal, with the operation of every cell so the
/// trace can be read back. Cells outside the beam stay at "infinity", as in the Python matrix.
struct BeamEditDistance {
    enum Op: UInt8 { case match, substitute, insert, delete }
    private static let undefined: UInt8 = 0xFF

    let reference: [UInt32]
    let hypothesis: [UInt32]
    private let width: Int
    private let lengthRatio: Double
    private let beam: Int
    /// Row-major (hypothesis position × reference position) costs and operations.
    private var costs: [Int]
    private var ops: [UInt8]

    init(reference: [UInt32], hypothesis: [UInt32]) throws {
        self.reference = reference
        self.hypothesis = hypothesis
        width = reference.count + 1
        lengthRatio = hypothesis.isEmpty ? 1 : Double(reference.count) / Double(hypothesis.count)
        // "in some crazy sentences … we may end up with zero overlap with previous row"
        beam = Double(TERAlignment.beamWidth) < lengthRatio / 2
            ? Int((lengthRatio / 2 + Double(TERAlignment.beamWidth)).rounded(.up)) : TERAlignment.beamWidth
        costs = [Int](repeating: TERAlignment.infinity, count: (hypothesis.count + 1) * width)
        ops = [UInt8](repeating: Self.undefined, count: costs.count)
        for j in 0..<width {
            costs[j] = j
            ops[j] = Op.insert.rawValue
        }
        for i in stride(from: 1, through: hypothesis.count, by: 1) {
            Self.computeRow(
                word: hypothesis[i - 1], reference: reference, columns: columns(i), previous: (i - 1) * width,
                current: i * width, costs: &costs, ops: &ops)
        }
    }

    /// The edit distance.
    var distance: Int { costs[hypothesis.count * width + reference.count] }

    /// The beam's column range for row `i` of an `n`-word hypothesis.
    @inline(__always)
    private func columns(_ i: Int) -> Range<Int> {
        let diagonal = Int((Double(i) * lengthRatio).rounded(.down))
        let lo = Swift.max(0, diagonal - beam)
        let hi = i == hypothesis.count ? width : Swift.min(width, diagonal + beam)
        return lo..<Swift.max(lo, hi)
    }

    /// Row `i` from the row at `previous` (both in `row`), Tercom's preference: match/substitution,
    /// then deletion, then insertion, each replacing only a strictly larger cost.
    @inline(__always)
    private static func computeRow(
        word: UInt32, reference: [UInt32], columns: Range<Int>, previous: Int, current: Int,
        costs row: inout [Int], ops: inout [UInt8]
    ) {
        for j in columns {
            if j == 0 {
                row[current] = row[previous] + 1
                ops[current] = Op.delete.rawValue
                continue
            }
            let isMatch = word == reference[j - 1]
            var best = row[current + j]
            var op = ops[current + j]
            let diagonal = row[previous + j - 1] + (isMatch ? 0 : 1)
            if best > diagonal {
                best = diagonal
                op = isMatch ? Op.match.rawValue : Op.substitute.rawValue
            }
            let up = row[previous + j] + 1
            if best > up {
                best = up
                op = Op.delete.rawValue
            }
            let left = row[current + j - 1] + 1
            if best > left {
                best = left
                op = Op.insert.rawValue
            }
            row[current + j] = best
            ops[current + j] = op
        }
    }

    /// The operations from the start to the end cell, read back from the end.
    func trace() throws -> [Op] {
        var trace = [Op]()
        var i = hypothesis.count, j = reference.count
        while i > 0 || j > 0 {
            guard let op = Op(rawValue: ops[i * width + j]) else {
                throw MetricsError.internalInconsistency("TER trace reached a cell outside the beam at (\(i), \(j))")
            }
            trace.append(op)
            switch op {
            case .match, .substitute:
                i -= 1
                j -= 1
            case .insert: j -= 1
            case .delete: i -= 1
            }
        }
        return trace.reversed()
    }

    /// The distance of another hypothesis of the same length whose first `prefix` words equal this one's:
    /// its rows up to `prefix` are this matrix's, the rest is computed in two rolling rows.
    func distance(of words: [UInt32], sharingPrefix prefix: Int) -> Int {
        let n = words.count
        if prefix == n { return distance }
        var rows = [Int](repeating: TERAlignment.infinity, count: 2 * width)
        var scratchOps = [UInt8](repeating: Self.undefined, count: 2 * width)
        for j in 0..<width { rows[j] = costs[prefix * width + j] }
        var previous = 0, current = width
        for i in (prefix + 1)...n {
            for j in 0..<width { rows[current + j] = TERAlignment.infinity }
            Self.computeRow(
                word: words[i - 1], reference: reference, columns: columns(i), previous: previous, current: current,
                costs: &rows, ops: &scratchOps)
            swap(&previous, &current)
        }
        return rows[previous + reference.count]
    }
}
