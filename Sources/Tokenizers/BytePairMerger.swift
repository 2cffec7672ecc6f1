/// Byte-pair merging of one pre-token piece: start from one token per byte and repeatedly merge the
/// adjacent pair with the lowest rank, the leftmost one on ties, until no adjacent pair has a merge.
///
/// That rule is what HF `tokenizers` (a heap of (rank, position)) and tiktoken (`byte_pair_merge`, a
/// scan for the first minimum) both implement; OpenAI's `encoder.py`, which merges every occurrence of
/// the best pair left to right in one pass, gives the same result for BPE-trained merge lists.
/// Short pieces use tiktoken's linear scan (fast for the usual < 20 bytes); long ones a heap, so a
/// megabyte-long "word" costs O(n log n) instead of O(n²).
///
/// A vocabulary may lack some of the 256 byte tokens: a byte without one is dropped before merging, so its
/// neighbours become adjacent — what HF `tokenizers` does for a character its BPE vocabulary lacks when no
/// `unk_token` is set (GPT-2 sets none).
struct BytePairMerger: Sendable {
    /// `byteIDs[b]` is the token for the single byte `b`, or `missing`.
    let byteIDs: [UInt32]
    let pairs: PairRankTable

    /// The `byteIDs` entry of a byte the vocabulary has no token for.
    static let missing = UInt32.max

    /// Pieces up to this many bytes use the quadratic scan.
    static let linearLimit = 128

    /// Appends the token ids of `bytes[0..<count]` to `out`.
    func merge(_ bytes: UnsafePointer<UInt8>, count: Int, into out: inout [UInt32]) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: count) { parts in
            var n = 0
            for i in 0..<count {
                let id = byteIDs[Int(bytes[i])]
                parts[n] = id
                n &+= id == Self.missing ? 0 : 1
            }
            if n == 1 {
                out.append(parts[0])
            } else if n > 1 && n <= Self.linearLimit {
                mergeLinear(parts, count: n, into: &out)
            } else if n > 1 {
                mergeWithHeap(parts, count: n, into: &out)
            }
        }
    }

    /// `parts[0..<count]`: the starting tokens, merged in place.
    private func mergeLinear(_ parts: UnsafeMutableBufferPointer<UInt32>, count: Int, into out: inout [UInt32]) {
        withUnsafeTemporaryAllocation(of: PairRankTable.Merge.self, capacity: count) { merges in
            let none = PairRankTable.Merge(rank: .max, merged: 0)
            // merges[i] is the merge of parts[i] and parts[i + 1].
            for i in 0..<(count - 1) { merges[i] = pairs.merge(parts[i], parts[i + 1]) ?? none }
            var n = count
            while n > 1 {
                var best = 0
                var bestRank = UInt32.max
                for i in 0..<(n - 1) where merges[i].rank < bestRank {
                    bestRank = merges[i].rank
                    best = i
                }
                if bestRank == .max { break }
                parts[best] = merges[best].merged
                // Remove parts[best + 1] and its merge slot.
                for i in (best + 1)..<(n - 1) {
                    parts[i] = parts[i + 1]
                    merges[i] = merges[i + 1]
                }
                n -= 1
                if best + 1 < n { merges[best] = pairs.merge(parts[best], parts[best + 1]) ?? none }
                if best > 0 { merges[best - 1] = pairs.merge(parts[best - 1], parts[best]) ?? none }
            }
            out.append(contentsOf: UnsafeBufferPointer(start: parts.baseAddress, count: n))
        }
    }

    /// The same rule with a doubly linked list of parts and a min-heap of (rank, position) candidates;
    /// stale candidates (a side already merged away, or the pair changed) are skipped when popped.
    private func mergeWithHeap(_ parts: UnsafeMutableBufferPointer<UInt32>, count: Int, into out: inout [UInt32]) {
        var ids = Array(parts[0..<count])
        var next = (0..<count).map { $0 + 1 }  // `count` = none
        var previous = (0..<count).map { $0 - 1 }  // -1 = none
        var alive = [Bool](repeating: true, count: count)
        var heap = MinHeap()
        for i in 0..<(count - 1) {
            if let merge = pairs.merge(ids[i], ids[i + 1]) { heap.push(merge.rank, UInt32(i)) }
        }
        while let (rank, position) = heap.pop() {
            let left = Int(position)
            guard alive[left], next[left] < count else { continue }
            let right = next[left]
            guard let merge = pairs.merge(ids[left], ids[right]), merge.rank == rank else { continue }
            ids[left] = merge.merged
            alive[right] = false
            next[left] = next[right]
            if next[left] < count { previous[next[left]] = left }
            if previous[left] >= 0, let m = pairs.merge(ids[previous[left]], ids[left]) {
                heap.push(m.rank, UInt32(previous[left]))
            }
            if next[left] < count, let m = pairs.merge(ids[left], ids[next[left]]) {
                heap.push(m.rank, UInt32(left))
            }
        }
        var i = 0
        while i < count {
            out.append(ids[i])
            i = next[i]
        }
    }
}

/// A binary min-heap of (rank, position) packed as `rank << 32 | position`, so integer order is
/// rank order with ties broken by the leftmost position.
private struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(_ rank: UInt32, _ position: UInt32) {
        items.append(UInt64(rank) << 32 | UInt64(position))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if items[parent] <= items[child] { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> (UInt32, UInt32)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                if left >= items.count { break }
                let right = left + 1
                let child = right < items.count && items[right] < items[left] ? right : left
                if items[parent] <= items[child] { break }
                items.swapAt(parent, child)
                parent = child
            }
        }
        return (UInt32(truncatingIfNeeded: top >> 32), UInt32(truncatingIfNeeded: top))
    }
}
