/// Which of `count` ordered units (a step's gradient shards, the dev batches, the examples to generate) a rank
/// takes: a contiguous run, in order, the first `count % size` ranks one more — so folding the ranks' results in
/// rank order visits the units in their order.
public enum RankShare {
    public static func range(count: Int, rank: Int, size: Int) -> Range<Int> {
        let (base, extra) = count.quotientAndRemainder(dividingBy: max(size, 1))
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// The number of units each rank takes, in rank order.
    public static func counts(count: Int, size: Int) -> [Int] {
        (0..<size).map { range(count: count, rank: $0, size: size).count }
    }
}
