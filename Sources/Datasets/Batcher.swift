/// A padded batch, row-major `[B, T]`.
///
/// Loss convention: `lossMask[b*T + t]` is 1 when token `t` of row `b` is a target token. The model
/// predicts token `t` from the logits at position `t - 1`, so a trainer computes the cross-entropy of
/// `tokens[t]` at position `t - 1` weighted by `lossMask[t]` (the mask never marks `t == 0`).
public struct Batch: Sendable, Equatable {
    /// Token ids, each row right-padded with `padID`.
    public let tokens: [Int32]
    /// 1 for real tokens, 0 for padding.
    public let attentionMask: [Float]
    /// 1 for target tokens (after the prompt, before the padding), 0 elsewhere.
    public let lossMask: [Float]
    /// Rows (B) and padded length (T, the longest row of this batch).
    public let batchSize: Int
    public let length: Int
    /// Indices into the batcher's sequences, one per row.
    public let sequenceIndices: [Int]

    /// Number of target tokens, the denominator of a mean loss.
    public var targetTokenCount: Int { Int(lossMask.reduce(0, +)) }
}

/// Where a run stands in the data: batch `index` of epoch `epoch` is next. Stored in checkpoints.
public struct BatchCursor: Codable, Equatable, Hashable, Sendable {
    public var epoch: Int
    public var index: Int

    public init(epoch: Int = 0, index: Int = 0) {
        self.epoch = epoch
        self.index = index
    }
}

/// Length-bucketed, deterministically shuffled batches.
///
/// Each epoch: shuffle all sequences with `ShuffleRNG(seed, stream: epoch)`; cut the order into windows
/// of `bucketWindow × batchSize` sequences; sort each window by length, longest first (ties keep the
/// shuffled order), and cut it into batches — so rows of a batch have similar lengths and little padding;
/// finally shuffle the order of all batches with the same generator, so long and short batches alternate.
/// Only the last window can yield a partial batch, which `dropLast` discards.
///
/// The plan of an epoch depends only on (seed, epoch, lengths, settings), so `batch(at:)` recomputes any
/// batch exactly and a resumed run continues with the very batches it would have seen.
public struct Batcher: Sendable {
    public let sequences: [EncodedSequence]
    public let batchSize: Int
    public let seed: UInt64
    public let bucketWindow: Int
    public let dropLast: Bool
    public let padID: Int32

    /// `padID` fills the padding; it is masked out everywhere, so any valid id will do (GPT-2 runs
    /// conventionally pad with `<|endoftext|>`).
    public init(
        sequences: [EncodedSequence], batchSize: Int, seed: UInt64, bucketWindow: Int = 50, dropLast: Bool = false,
        padID: Int32 = 0
    ) throws {
        guard batchSize >= 1 else {
            throw DatasetError.invalidSetting(name: "batch size", value: String(batchSize), hint: "must be at least 1")
        }
        guard bucketWindow >= 1 else {
            throw DatasetError.invalidSetting(
                name: "bucket window", value: String(bucketWindow), hint: "must be at least 1 batch (1 = no bucketing)")
        }
        guard !sequences.isEmpty, !dropLast || sequences.count >= batchSize else {
            throw DatasetError.invalidSetting(
                name: "sequences", value: String(sequences.count), hint: "not enough data for one batch of \(batchSize)"
            )
        }
        self.sequences = sequences
        self.batchSize = batchSize
        self.seed = seed
        self.bucketWindow = bucketWindow
        self.dropLast = dropLast
        self.padID = padID
    }

    /// Batches per epoch, the same every epoch: rounded up unless `dropLast` (written so that a batch size near
    /// `Int.max` cannot overflow).
    public var batchesPerEpoch: Int {
        sequences.count / batchSize + (dropLast || sequences.count % batchSize == 0 ? 0 : 1)
    }

    /// The sequence indices of every batch of `epoch`, in the order they are served.
    public func plan(epoch: Int) -> [[Int]] {
        var rng = ShuffleRNG(seed: seed, stream: UInt64(truncatingIfNeeded: epoch))
        var order = Array(sequences.indices)
        rng.shuffle(&order)
        let (product, overflow) = bucketWindow.multipliedReportingOverflow(by: batchSize)
        let window = overflow ? Int.max : product
        var batches: [[Int]] = []
        batches.reserveCapacity(batchesPerEpoch)
        for start in stride(from: 0, to: order.count, by: window) {
            // Sort by length, longest first; ties by shuffled position, so the sort is fully determined.
            let bucket = order[start..<(start + min(window, order.count - start))].enumerated().sorted {
                let (a, b) = (sequences[$0.element].tokens.count, sequences[$1.element].tokens.count)
                return a != b ? a > b : $0.offset < $1.offset
            }.map(\.element)
            for batchStart in stride(from: 0, to: bucket.count, by: batchSize) {
                let rows = Array(bucket[batchStart..<(batchStart + min(batchSize, bucket.count - batchStart))])
                if rows.count < batchSize && dropLast { continue }
                batches.append(rows)
            }
        }
        rng.shuffle(&batches)
        return batches
    }

    /// The batch at `cursor` (an index past the end of the epoch is an error).
    public func batch(at cursor: BatchCursor) throws -> Batch {
        let plan = plan(epoch: cursor.epoch)
        guard plan.indices.contains(cursor.index) else {
            throw DatasetError.invalidSetting(
                name: "batch cursor", value: "epoch \(cursor.epoch) batch \(cursor.index)",
                hint: "an epoch has \(plan.count) batches")
        }
        return assemble(plan[cursor.index])
    }

    /// Pads the given sequences into one batch.
    public func assemble(_ rows: [Int]) -> Batch {
        let length = rows.map { sequences[$0].tokens.count }.max() ?? 0
        var tokens = [Int32](repeating: padID, count: rows.count * length)
        var attention = [Float](repeating: 0, count: rows.count * length)
        var loss = [Float](repeating: 0, count: rows.count * length)
        for (b, index) in rows.enumerated() {
            let sequence = sequences[index]
            let base = b * length
            for (t, token) in sequence.tokens.enumerated() {
                tokens[base + t] = token
                attention[base + t] = 1
                if t >= sequence.targetStart { loss[base + t] = 1 }
            }
        }
        return Batch(
            tokens: tokens, attentionMask: attention, lossMask: loss, batchSize: rows.count, length: length,
            sequenceIndices: rows)
    }

    /// Batches from `cursor` on, each with the cursor that points at it, through `epochs` epochs in total
    /// (counting from epoch 0). The plan is computed once per epoch.
    public func batches(from cursor: BatchCursor, epochs: Int) -> BatchSequence {
        BatchSequence(batcher: self, start: cursor, epochs: epochs)
    }
}

/// The batches of a run from a cursor to the end of its last epoch.
public struct BatchSequence: Sequence, Sendable {
    let batcher: Batcher
    let start: BatchCursor
    let epochs: Int

    public struct Iterator: IteratorProtocol {
        let batcher: Batcher
        let epochs: Int
        var cursor: BatchCursor
        var plan: [[Int]] = []
        var planEpoch = -1

        public mutating func next() -> (cursor: BatchCursor, batch: Batch)? {
            while cursor.epoch < epochs {
                if planEpoch != cursor.epoch {
                    plan = batcher.plan(epoch: cursor.epoch)
                    planEpoch = cursor.epoch
                }
                if cursor.index < plan.count {
                    let here = cursor
                    cursor.index += 1
                    return (here, batcher.assemble(plan[here.index]))
                }
                cursor = BatchCursor(epoch: cursor.epoch + 1, index: 0)
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(batcher: batcher, epochs: epochs, cursor: start)
    }
}
