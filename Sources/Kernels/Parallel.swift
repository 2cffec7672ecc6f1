import Dispatch
import WorkerThreads

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Splitting work over threads, with results that never depend on how many there are.
///
/// Every parallel loop of the kernels hands out fixed units of work — rows, (batch row, head) pairs, or
/// blocks whose sizes come from the shapes alone — and every reduction over rows adds its per-block partial
/// sums in block order. The thread count (`WorkerThreads.count`: `LNTUNE_THREADS`, or one per processor)
/// only decides which thread computes which unit, so the bits are the same on any number of threads, cores
/// or processes.
///
/// `DispatchQueue.concurrentPerform` costs a few microseconds per call, so small problems run inline.
public enum Parallel {
    /// Threads the kernels run on (`LNTUNE_THREADS`, or one per processor; `WorkerThreads.with` scopes another).
    public static var width: Int { WorkerThreads.count }

    /// Work (a rough count of floating-point operations in total) below which a loop runs inline.
    public static let minimumParallelWork = 65_536

    /// Calls `body(i)` once for every `i` in `0..<count`: concurrently on up to `width` threads, each taking
    /// the next index when it finishes one (so a descheduled thread holds up nothing), when there are several
    /// and `work` repays the dispatch. Calls for different `i` must write disjoint outputs.
    public static func forEach(_ count: Int, work: Int = .max, _ body: (Int) -> Void) {
        let workers = min(width, count)
        if workers <= 1 || work < minimumParallelWork {
            for i in 0..<count { body(i) }
            return
        }
        let dispenser = IndexDispenser(count: count)
        // The kernels hand each index a disjoint slice of raw buffers, which Sendable checking cannot see;
        // the one unchecked crossing lives here instead of at every call site.
        withoutActuallyEscaping(body) { body in
            let unchecked = UncheckedBody(body: body)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while let i = dispenser.next() { unchecked.body(i) }
            }
        }
    }

    /// Calls `body(range)` for the blocks `0..<size`, `size..<2·size`, … covering `0..<count` (the last may
    /// be shorter), spread over the threads as `forEach` spreads indices. The blocks depend on `count` and
    /// `size` only.
    public static func forEachBlock(_ count: Int, size: Int, work: Int = .max, _ body: (Range<Int>) -> Void) {
        let size = max(size, 1)
        forEach(blockCount(count, size: size), work: work) { b in body((b * size)..<min(count, (b + 1) * size)) }
    }

    /// The number of blocks `forEachBlock` uses (to size per-block partial buffers).
    public static func blockCount(_ count: Int, size: Int) -> Int {
        count <= 0 ? 0 : (count + max(size, 1) - 1) / max(size, 1)
    }

    struct UncheckedBody: @unchecked Sendable {
        let body: (Int) -> Void
    }
}

/// Hands out 0, 1, 2, … below `count`, one at a time, to whichever thread asks (a mutex: the kernels take at
/// most a few thousand indices per call, each worth far more than the lock).
private final class IndexDispenser: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let count: Int
    private var taken = 0

    init(count: Int) {
        self.count = count
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func next() -> Int? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard taken < count else { return nil }
        taken += 1
        return taken - 1
    }
}
