/// A weight matrix stored in bfloat16, converted from f32 once (at load, or after an optimizer step for a
/// trained matrix), row-major `[rows, columns]` as its f32 original.
///
/// Half the bytes of the f32 matrix: the one-row and few-row products of decoding, which are bound by reading
/// the weights, read these and widen them in registers (`BF16Linear`).
public final class BFloat16Matrix: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    public let storage: UnsafeMutablePointer<UInt16>
    public var count: Int { rows * columns }

    /// `source` `[rows, columns]` rounded to bf16 (nearest even).
    public init(_ source: UnsafePointer<Float>, rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(rows * columns, 1) * 2, alignment: 64)
        storage = raw.bindMemory(to: UInt16.self, capacity: max(rows * columns, 1))
        update(from: source)
    }

    /// Re-rounds from `source` (same shape): what a trained matrix needs after each optimizer step.
    public func update(from source: UnsafePointer<Float>) {
        let n = count
        Parallel.forEachBlock(n, size: 1 << 18, work: n * 4) { range in
            BFloat16.narrow(storage + range.lowerBound, source + range.lowerBound, range.count)
        }
    }

    deinit { storage.deallocate() }
}
