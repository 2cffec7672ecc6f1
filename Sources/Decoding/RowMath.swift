import Foundation

/// Small numeric kernels over one row of scores: log-softmax, the log-probability of one entry, and partial
/// top-k selection. Selection never sorts the whole row: it keeps a k-element heap, O(n log k) worst case and
/// close to O(n) in practice, since most entries lose against the heap's smallest at the first comparison.
enum RowMath {
    /// In-place `x - max - log(sum(exp(x - max)))` (torch's float32 `log_softmax` formula).
    static func logSoftmax(_ row: UnsafeMutableBufferPointer<Float>) {
        guard let maxValue = row.max(), maxValue.isFinite else { return }
        var sum: Float = 0
        for x in row { sum += expf(x - maxValue) }
        let logSum = logf(sum)
        for i in row.indices { row[i] = (row[i] - maxValue) - logSum }
    }

    /// log-softmax of `row` at `index`, in double precision (used for sequence scores of greedy and sampling).
    static func logProbability(_ row: UnsafeBufferPointer<Float>, at index: Int) -> Double {
        guard let maxValue = row.max(), maxValue.isFinite else { return -.infinity }
        var sum = 0.0
        for x in row { sum += exp(Double(x) - Double(maxValue)) }
        return (Double(row[index]) - Double(maxValue)) - log(sum)
    }

    /// Index of the largest entry; the first one on ties (as `torch.argmax`).
    static func argMax(_ row: UnsafeBufferPointer<Float>) -> Int {
        guard var bestValue = row.first else { return 0 }
        var best = 0
        for i in row.indices.dropFirst() where row[i] > bestValue {
            best = i
            bestValue = row[i]
        }
        return best
    }

    /// The `k` largest entries as (index, value), largest first; equal values go to the lower index.
    /// (torch.topk's order among exact ties is unspecified; fixtures avoid exact ties at decision boundaries.)
    static func largest(_ row: UnsafeBufferPointer<Float>, count k: Int) -> [(index: Int, value: Float)] {
        let k = min(k, row.count)
        guard k > 0 else { return [] }
        // Min-heap on "rank": the root is the worst kept entry. Entries arrive in index order, so a later entry
        // with an equal value never displaces the root — ties keep the lower index.
        var heap: [(index: Int, value: Float)] = []
        heap.reserveCapacity(k)
        func worse(_ a: (index: Int, value: Float), _ b: (index: Int, value: Float)) -> Bool {
            a.value < b.value || (a.value == b.value && a.index > b.index)
        }
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && worse(heap[l], heap[m]) { m = l }
                if r < heap.count && worse(heap[r], heap[m]) { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        for i in row.indices {
            let value = row[i]
            if heap.count < k {
                heap.append((i, value))
                var c = heap.count - 1
                while c > 0 {
                    let p = (c - 1) / 2
                    guard worse(heap[c], heap[p]) else { break }
                    heap.swapAt(c, p)
                    c = p
                }
            } else if value > heap[0].value {
                heap[0] = (i, value)
                siftDown(0)
            }
        }
        return heap.sorted { worse($1, $0) }
    }
}
