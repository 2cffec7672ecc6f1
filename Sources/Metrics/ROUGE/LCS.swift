/// Longest common subsequences as rouge-score computes them (`_lcs_table`, `_backtrack_norec`).
enum LCS {
    /// The LCS length, in two rows of the table (ROUGE-L needs nothing else).
    static func length(_ a: [UInt32], _ b: [UInt32]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        let width = b.count + 1
        var rows = [Int32](repeating: 0, count: 2 * width)
        return rows.withUnsafeMutableBufferPointer { rows in
            b.withUnsafeBufferPointer { b in
                var previous = 0, current = width
                for x in a {
                    for j in 1..<width {
                        rows[current + j] =
                            x == b[j - 1] ? rows[previous + j - 1] + 1 : Swift.max(rows[previous + j], rows[current + j - 1])
                    }
                    swap(&previous, &current)
                }
                return Int(rows[previous + width - 1])
            }
        }
    }

    /// `lcs_ind(ref, can)`: the indices into `ref` of the LCS that rouge-score's backtracking reads out
    /// (on ties it moves up a row, so which LCS is chosen matters for ROUGE-Lsum's union).
    static func indices(_ ref: [UInt32], _ can: [UInt32]) -> [Int] {
        let rows = ref.count, cols = can.count
        guard rows > 0, cols > 0 else { return [] }
        let width = cols + 1
        var table = [Int32](repeating: 0, count: (rows + 1) * width)
        table.withUnsafeMutableBufferPointer { table in
            can.withUnsafeBufferPointer { can in
                for i in 1...rows {
                    let x = ref[i - 1]
                    for j in 1...cols {
                        table[i * width + j] =
                            x == can[j - 1]
                            ? table[(i - 1) * width + j - 1] + 1
                            : Swift.max(table[(i - 1) * width + j], table[i * width + j - 1])
                    }
                }
            }
        }
        var result = [Int]()
        var i = rows, j = cols
        while i > 0 && j > 0 {
            if ref[i - 1] == can[j - 1] {
                result.append(i - 1)
                i -= 1
                j -= 1
            } else if table[i * width + j - 1] > table[(i - 1) * width + j] {
                j -= 1
            } else {
                i -= 1
            }
        }
        return result.reversed()
    }
}

/// rouge-score's `_summary_level_lcs`: the union LCS of each reference sentence against all candidate
/// sentences, with hits capped by token counts so no token is counted twice (as ROUGE 1.5.5 does).
enum RougeLsum {
    static func score(target: [[UInt32]], prediction: [[UInt32]]) -> Rouge.Score {
        let m = target.reduce(0) { $0 + $1.count }, n = prediction.reduce(0) { $0 + $1.count }
        // Python also returns zero when either side has no sentence; empty lines carry no tokens, so the
        // token totals decide the same cases.
        guard m > 0, n > 0 else { return .zero }
        var referenceCounts = NGramTable(capacity: m), candidateCounts = NGramTable(capacity: n)
        for sentence in target { for token in sentence { referenceCounts.add(NGram(unigram: token)) } }
        for sentence in prediction { for token in sentence { candidateCounts.add(NGram(unigram: token)) } }
        var hits = 0
        for reference in target where !reference.isEmpty {
            // The union of LCS index sets, in index order.
            var inUnion = [Bool](repeating: false, count: reference.count)
            for candidate in prediction { for index in LCS.indices(reference, candidate) { inUnion[index] = true } }
            for (index, selected) in inUnion.enumerated() where selected {
                let token = NGram(unigram: reference[index])
                if candidateCounts.count(of: token) > 0 && referenceCounts.count(of: token) > 0 {
                    hits += 1
                    candidateCounts.add(token, -1)
                    referenceCounts.add(token, -1)
                }
            }
        }
        return Rouge.Score(precision: Double(hits) / Double(n), recall: Double(hits) / Double(m))
    }
}
