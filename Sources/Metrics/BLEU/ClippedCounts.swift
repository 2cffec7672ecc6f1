/// BLEU's clipped n-gram matches for one segment in a single hash table, one probe per n-gram occurrence.
///
/// sacreBLEU counts each reference's n-grams, merges the counters by maximum, counts the hypothesis'
/// n-grams and sums min(hypothesis count, reference maximum). Here every slot keeps the running maximum
/// over references (tracking which reference its current count belongs to) and how many hypothesis
/// occurrences it has matched so far: the k-th occurrence of an n-gram in the hypothesis matches exactly
/// when k ≤ its reference maximum, which sums to the same clipped count. Orders share the table (n-grams
/// of different orders never compare equal); `reset` clears only the slots used, so the table is reused
/// for every segment of a corpus.
struct ClippedCounts {
    private struct Slot {
        var key = NGram.unused
        /// Maximum count over the references so far.
        var maximum: Int32 = 0
        /// The reference `running` counts in.
        var owner: Int32 = -1
        var running: Int32 = 0
        /// Hypothesis occurrences matched so far.
        var matched: Int32 = 0
    }

    /// One array of slots (key and counters side by side: one cache line per probe, one uniqueness check
    /// per pass instead of one per store).
    private var slots: [Slot]
    private var used: [Int32] = []
    private var mask: Int

    init(capacity: Int = 256) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Slot](repeating: Slot(), count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func slot(of gram: NGram, in slots: UnsafeMutableBufferPointer<Slot>, mask: Int) -> Int {
        let mixed =
            gram.w0 &* 0x9E37_79B9_7F4A_7C15 ^ (gram.w1 &* 0xC2B2_AE3D_27D4_EB4F) ^ (gram.w2 &* 0x1656_67B1_9E37_79F9)
        var i = Int(truncatingIfNeeded: (mixed ^ (mixed >> 29)) & UInt64(mask))
        while slots[i].key != gram && slots[i].key != NGram.unused { i = (i + 1) & mask }
        return i
    }

    /// Counts the n-grams (orders 1…maxOrder) of reference number `index`.
    mutating func addReference(_ tokens: [UInt32], index: Int32, maxOrder: Int) {
        let needed = (used.count + tokens.count * maxOrder) * 2
        if needed > slots.count { grow(to: needed) }
        let mask = self.mask
        var used = self.used
        self.used = []
        slots.withUnsafeMutableBufferPointer { slots in
            tokens.withUnsafeBufferPointer { buffer in
                for n in 1...maxOrder where buffer.count >= n {
                    for start in 0...(buffer.count - n) {
                        let gram = NGram(buffer, start: start, n: n)
                        let i = Self.slot(of: gram, in: slots, mask: mask)
                        if slots[i].key == NGram.unused {
                            slots[i].key = gram
                            used.append(Int32(i))
                        }
                        if slots[i].owner != index {
                            slots[i].owner = index
                            slots[i].running = 0
                        }
                        slots[i].running += 1
                        if slots[i].running > slots[i].maximum { slots[i].maximum = slots[i].running }
                    }
                }
            }
        }
        self.used = used
    }

    /// Clipped matches of the hypothesis for order n (call once per order, after all references).
    mutating func matches(_ tokens: [UInt32], order n: Int) -> Int {
        guard tokens.count >= n else { return 0 }
        let mask = self.mask
        return slots.withUnsafeMutableBufferPointer { slots in
            tokens.withUnsafeBufferPointer { buffer in
                var total = 0
                for start in 0...(buffer.count - n) {
                    let i = Self.slot(of: NGram(buffer, start: start, n: n), in: slots, mask: mask)
                    if slots[i].matched < slots[i].maximum {
                        slots[i].matched += 1
                        total += 1
                    }
                }
                return total
            }
        }
    }

    /// Clears the slots in use.
    mutating func reset() {
        let used = self.used
        slots.withUnsafeMutableBufferPointer { slots in
            for i in used { slots[Int(i)] = Slot() }
        }
        self.used.removeAll(keepingCapacity: true)
    }

    /// Rehashes into a table at least `capacity` slots big (only between references).
    private mutating func grow(to capacity: Int) {
        var bigger = ClippedCounts(capacity: capacity)
        let mask = bigger.mask
        bigger.slots.withUnsafeMutableBufferPointer { target in
            for i in used {
                let slot = slots[Int(i)]
                let j = Self.slot(of: slot.key, in: target, mask: mask)
                target[j] = slot
                bigger.used.append(Int32(j))
            }
        }
        self = bigger
    }
}
