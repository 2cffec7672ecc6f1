import Kernels

/// Numeric kernels over one row of scores (a vocabulary-wide row is 50 257 floats, touched several times per
/// row per step, so every pass is SIMD16 — scalar loops and `expf` calls made decoding cost more than the model's
/// LM head): log-softmax, log-probability of one entry, arg-max, and partial top-k selection.
///
/// Selection never sorts the row: it keeps a k-element heap and skips every 16-lane block whose maximum cannot
/// enter it, so a step costs about one vector pass over the row.
enum RowMath {
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vec { UnsafeRawPointer(p).loadUnaligned(as: Vec.self) }

    @inline(__always)
    static func store(_ v: Vec, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec.self)
    }

    /// In-place `x - logsumexp(x)` (Kernels' vectorised log-sum-exp; torch rounds `(x - max) - log(sum)`,
    /// which can differ in the last bit — scores are compared with a tolerance, ties stay ties either way).
    static func logSoftmax(_ row: UnsafeMutableBufferPointer<Float>) {
        guard let base = row.baseAddress, row.count > 0 else { return }
        let lse = Softmax.logSumExp(base, row.count)
        guard lse.isFinite else { return }
        add(row, -lse)
    }

    /// Rewrites every entry with `vector` (16 lanes at a time) and `scalar` (the tail); the two must agree.
    @inline(__always)
    static func update(
        _ row: UnsafeMutableBufferPointer<Float>, _ vector: (Vec) -> Vec, _ scalar: (Float) -> Float
    ) {
        guard let base = row.baseAddress else { return }
        var i = 0
        while i + 16 <= row.count {
            store(vector(load(base + i)), base + i)
            i += 16
        }
        while i < row.count {
            base[i] = scalar(base[i])
            i += 1
        }
    }

    /// row[i] += value.
    static func add(_ row: UnsafeMutableBufferPointer<Float>, _ value: Float) {
        let v = Vec(repeating: value)
        update(row, { $0 + v }, { $0 + value })
    }

    /// row[i] /= value (IEEE division per lane, identical to the scalar loop).
    static func divide(_ row: UnsafeMutableBufferPointer<Float>, by value: Float) {
        let v = Vec(repeating: value)
        update(row, { $0 / v }, { $0 / value })
    }

    /// Every entry strictly below `threshold` becomes -inf.
    static func removeBelow(_ row: UnsafeMutableBufferPointer<Float>, _ threshold: Float) {
        let t = Vec(repeating: threshold)
        update(row, { $0.replacing(with: -.infinity, where: $0 .< t) }, { $0 < threshold ? -.infinity : $0 })
    }

    /// Whether every entry is finite: `x * 0` is 0 for finite x and NaN for NaN and ±inf, so one vector sum
    /// of those products tells (one pass, no branch per entry).
    static func allFinite(_ row: UnsafeBufferPointer<Float>) -> Bool {
        guard let base = row.baseAddress else { return true }
        var accumulator = Vec(repeating: 0)
        var i = 0
        while i + 16 <= row.count {
            accumulator += load(base + i) * 0
            i += 16
        }
        var tail: Float = 0
        while i < row.count {
            tail += base[i] * 0
            i += 1
        }
        return (accumulator.sum() + tail) == 0
    }

    /// Whether a token can still be chosen from `row`: some entry above -inf, none +inf or NaN (a removed token
    /// is -inf; +inf and NaN come only from overflowing settings such as a tiny temperature).
    static func hasChoice(_ row: UnsafeBufferPointer<Float>) -> Bool {
        guard let base = row.baseAddress, row.count > 0 else { return false }
        let m = maxElement(base, row.count)
        guard m > -.infinity && m < .infinity else { return false }
        var i = 0
        while i + 16 <= row.count {
            let v = load(base + i)
            if any(v .!= v) { return false }
            i += 16
        }
        while i < row.count {
            if base[i].isNaN { return false }
            i += 1
        }
        return true
    }

    /// log-softmax of `row` at `index`, in double precision (the sequence score of greedy and sampling).
    static func logProbability(_ row: UnsafeBufferPointer<Float>, at index: Int) -> Double {
        guard let base = row.baseAddress, row.indices.contains(index) else { return -.infinity }
        let lse = Softmax.logSumExp(base, row.count)
        guard lse.isFinite else { return -.infinity }
        return Double(row[index]) - Double(lse)
    }

    /// Index of the largest entry; the first one on ties (as `torch.argmax`).
    static func argMax(_ row: UnsafeBufferPointer<Float>) -> Int {
        guard let base = row.baseAddress, row.count > 0 else { return 0 }
        let m = maxElement(base, row.count)
        return row.firstIndex(of: m) ?? 0
    }

    /// The `k` largest entries as (index, value), largest first; equal values go to the lower index.
    /// (torch.topk's order among exact ties is unspecified; fixtures avoid exact ties at decision boundaries.)
    static func largest(_ row: UnsafeBufferPointer<Float>, count k: Int) -> [(index: Int, value: Float)] {
        guard let base = row.baseAddress else { return [] }
        var heap = SelectionHeap(capacity: min(k, row.count))
        guard heap.capacity > 0 else { return [] }
        var i = 0
        // Whole blocks that cannot beat the heap's smallest are skipped with one vector compare (`any(.>)`;
        // the horizontal `SIMD.max()` is a scalar loop, 20x slower).
        while i + 16 <= row.count {
            if !heap.isFull || any(load(base + i) .> Vec(repeating: heap.threshold)) {
                for j in i..<(i + 16) { heap.offer(j, base[j]) }
            }
            i += 16
        }
        while i < row.count {
            heap.offer(i, base[i])
            i += 1
        }
        return heap.sorted()
    }
}

/// A bounded min-heap on rank: the root is the worst kept entry. Entries must be offered in increasing index
/// order, so a later entry with an equal value never displaces the root — ties keep the lower index.
struct SelectionHeap {
    let capacity: Int
    private var items: [(index: Int, value: Float)] = []

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        items.reserveCapacity(self.capacity)
    }

    var isFull: Bool { items.count == capacity }
    /// The smallest kept value (only meaningful when full).
    var threshold: Float { items.first?.value ?? -.infinity }

    @inline(__always)
    private static func worse(_ a: (index: Int, value: Float), _ b: (index: Int, value: Float)) -> Bool {
        a.value < b.value || (a.value == b.value && a.index > b.index)
    }

    mutating func offer(_ index: Int, _ value: Float) {
        if items.count < capacity {
            items.append((index, value))
            var c = items.count - 1
            while c > 0 {
                let p = (c - 1) / 2
                guard Self.worse(items[c], items[p]) else { break }
                items.swapAt(c, p)
                c = p
            }
        } else if capacity > 0 && value > items[0].value {
            items[0] = (index, value)
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && Self.worse(items[l], items[m]) { m = l }
                if r < items.count && Self.worse(items[r], items[m]) { m = r }
                if m == i { return }
                items.swapAt(i, m)
                i = m
            }
        }
    }

    /// Kept entries, best first.
    func sorted() -> [(index: Int, value: Float)] { items.sorted { Self.worse($1, $0) } }
}
