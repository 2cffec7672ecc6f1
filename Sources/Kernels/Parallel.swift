import Dispatch

/// Splitting work over the machine's cores where BLAS does not do it for us.
///
/// The target machine has two cores; `DispatchQueue.concurrentPerform` costs a few microseconds per call,
/// so small problems run inline (a parallel split would be slower than the work itself).
public enum Parallel {
    /// Number of worker threads the kernels split into (the active processor count).
    public static let width = max(1, ProcessInfoShim.activeProcessorCount)

    /// Calls `body(i)` for every `i` in `0..<count`, concurrently when `count > 1` and `work` (a rough
    /// count of floating-point operations in total) is large enough to repay the dispatch.
    @inlinable
    public static func forEach(_ count: Int, work: Int = .max, _ body: (Int) -> Void) {
        if count <= 1 || work < 65_536 || width == 1 {
            for i in 0..<count { body(i) }
        } else {
            // The kernels hand each iteration a disjoint slice of raw buffers, which Sendable checking
            // cannot see; the one unchecked crossing lives here instead of at every call site.
            withoutActuallyEscaping(body) { body in
                let unchecked = UncheckedBody(body: body)
                DispatchQueue.concurrentPerform(iterations: count) { unchecked.body($0) }
            }
        }
    }

    /// Splits `0..<count` into at most `width` contiguous chunks and calls `body(chunkIndex, range)` for
    /// each; used where every chunk needs its own partial sums (reductions over rows).
    @inlinable
    public static func chunks(_ count: Int, work: Int = .max, _ body: (Int, Range<Int>) -> Void) {
        let n = (work < 65_536 || count < 2) ? 1 : min(width, count)
        forEach(n, work: work) { c in
            body(c, (count * c / n)..<(count * (c + 1) / n))
        }
    }

    @usableFromInline
    struct UncheckedBody: @unchecked Sendable {
        @usableFromInline let body: (Int) -> Void
        @usableFromInline init(body: @escaping (Int) -> Void) { self.body = body }
    }

    /// The number of chunks `chunks(_:work:_:)` will use (to size per-chunk partial buffers).
    @inlinable
    public static func chunkCount(_ count: Int, work: Int = .max) -> Int {
        (work < 65_536 || count < 2) ? 1 : min(width, count)
    }
}
