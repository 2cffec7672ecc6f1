import Foundation

/// Memo of BPE results per pre-token piece (minGPT's `self.cache`): text repeats its words, and a piece
/// that is not a single token costs a merge loop; the cache turns the second occurrence into a lookup.
///
/// A cache is owned by one thread at a time (see `WordCachePool`), so it needs no lock per lookup.
struct WordCache {
    private var table = ByteKeyTable(minimumCapacity: 4096)
    /// The cached id sequences back to back; a table payload is `start << 8 | count`.
    private var ids: [UInt32] = []
    /// Scratch output of the merger, reused to avoid an allocation per miss.
    var scratch: [UInt32] = []

    /// Bound on memory: after this many distinct pieces (or 2^24 cached ids) the cache starts over.
    static let maxWords = 1 << 17
    static let maxIDs = 1 << 24

    /// Appends the cached ids of the piece to `out`; false on a miss.
    @inline(__always)
    func append(_ key: ByteKey, to out: inout [Int]) -> Bool {
        guard let payload = table.value(key) else { return false }
        let start = Int(payload >> 8)
        let count = Int(payload & 0xFF)
        ids.withUnsafeBufferPointer { ids in
            for i in start..<(start + count) { out.append(Int(ids[i])) }
        }
        return true
    }

    /// Remembers `scratch` as the ids of the piece (pieces of 256+ tokens are not cached).
    mutating func storeScratch(_ key: ByteKey) {
        guard scratch.count <= 0xFF else { return }
        if table.count >= Self.maxWords || ids.count + scratch.count > Self.maxIDs {
            table.removeAll()
            ids.removeAll(keepingCapacity: true)
        }
        table.insert(key, value: UInt32(ids.count) << 8 | UInt32(scratch.count))
        ids.append(contentsOf: scratch)
    }
}

/// Word caches shared by the threads that use one tokenizer: an encode call takes a cache (or makes a
/// new one if all are in use), works without locking, and gives it back. Two lock operations per call
/// instead of one per word; a cache never has two users.
final class WordCachePool: @unchecked Sendable {
    // @unchecked: `caches` is only touched under `lock`.
    private let lock = NSLock()
    private var caches: [WordCache] = []
    /// Caches kept beyond this are dropped (bounds memory after a burst of concurrent callers).
    private let limit = max(2, ProcessInfo.processInfo.activeProcessorCount * 2)

    func take() -> WordCache {
        lock.withLock { caches.popLast() } ?? WordCache()
    }

    func giveBack(_ cache: WordCache) {
        lock.withLock {
            if caches.count < limit { caches.append(cache) }
        }
    }
}
