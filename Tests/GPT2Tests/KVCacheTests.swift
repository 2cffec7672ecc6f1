import Foundation
import Testing
import TestSupport

import GPT2

private func leftPadded() throws -> ForwardCase {
    try #require(try Fixtures.json([String: ForwardCase].self, "forward/padded.json")["left"])
}

/// The columns `range` of a batch as a batch of their own (same rows, same mask).
private func columns(_ b: TokenBatch, _ range: Range<Int>) throws -> TokenBatch {
    var tokens: [Int32] = [], mask: [UInt8] = []
    for r in 0..<b.batchSize {
        tokens += b.tokens[(r * b.length + range.lowerBound)..<(r * b.length + range.upperBound)]
        mask += b.mask[(r * b.length + range.lowerBound)..<(r * b.length + range.upperBound)]
    }
    return try TokenBatch(tokens: tokens, mask: mask, batchSize: b.batchSize, length: range.count)
}

/// Decoding a left-padded batch incrementally (a prefill, then one column per step) gives, at every step,
/// the logits a full forward gives at that position.
@Test(arguments: [0, 3])
func incrementalDecodingEqualsFullForward(prefixLength: Int) throws {
    let model = try TinyModel.load()
    let batch = try leftPadded().batch()
    var rng = SeededRandom(seed: 71)
    let prefix = PrefixSlots(config: model.config, length: prefixLength)
    prefix.base.update(from: rng.normals(prefix.count), count: prefix.count)
    let full = try model.logits(batch, rows: .all, prefix: prefix)
    let cache = try model.makeCache(
        batchSize: batch.batchSize, capacity: prefixLength + batch.length + 2, prefix: prefix)
    let prefill = 4
    var worst: Float = 0
    let first = try model.extend(cache, with: columns(batch, 0..<prefill), rows: .all)
    for (i, _) in first.positions.enumerated() {
        let (r, t) = (i / prefill, i % prefill)
        guard batch.mask[r * batch.length + t] == 1 else { continue }  // pad outputs are never read
        worst = max(worst, maxAbsDifference(Array(first[row: i]), Array(full[row: r * batch.length + t])))
    }
    for t in prefill..<batch.length {
        let step = try model.extend(cache, with: columns(batch, t..<(t + 1)))
        for r in 0..<batch.batchSize {
            worst = max(worst, maxAbsDifference(Array(step[row: r]), Array(full[row: r * batch.length + t])))
        }
    }
    #expect(worst <= 1e-5, "max |Δlogit| = \(worst)")
    #expect(cache.length == prefixLength + batch.length)
    #expect(
        cache.nextPosition
            == (0..<batch.batchSize).map { r in
                Int32(prefixLength + batch.mask[(r * batch.length)..<((r + 1) * batch.length)].filter { $0 == 1 }.count)
            })
}

/// An empty prefix is exactly no prefix.
@Test func emptyPrefixEqualsNoPrefix() throws {
    let model = try TinyModel.load()
    let batch = try leftPadded().batch()
    let none = try model.logits(batch, rows: .all)
    let empty = try model.logits(batch, rows: .all, prefix: PrefixSlots(config: model.config, length: 0))
    #expect(none.values == empty.values)
}

/// Reordering the cache for beam search (with repeats, a row reading a row that is itself overwritten,
/// growing past the allocated rows and shrinking) continues exactly as a fresh forward over the
/// reordered sequences.
@Test(arguments: [[2, 0, 0, 1], [1, 2, 0], [2, 2], [0, 1, 2, 1, 0, 2, 2]])
func cacheSelectContinuesReorderedRows(rows: [Int]) throws {
    let model = try TinyModel.load()
    let batch = try leftPadded().batch()
    let (nb, nt) = (batch.batchSize, batch.length)
    let cache = try model.makeCache(batchSize: nb, capacity: nt + 1)
    _ = try model.extend(cache, with: columns(batch, 0..<(nt - 1)))
    try cache.select(rows: rows)
    let last = try TokenBatch(tokens: rows.map { batch.tokens[$0 * nt + nt - 1] }, batchSize: rows.count, length: 1)
    let stepped = try model.extend(cache, with: last)
    var tokens: [Int32] = [], mask: [UInt8] = []
    for r in rows {
        tokens += batch.tokens[(r * nt)..<((r + 1) * nt)]
        mask += batch.mask[(r * nt)..<((r + 1) * nt)]
    }
    let reference = try model.logits(
        TokenBatch(tokens: tokens, mask: mask, batchSize: rows.count, length: nt), rows: .last)
    #expect(cache.batchSize == rows.count)
    #expect(maxAbsDifference(stepped.values, reference.values) <= 1e-5)
}

/// A cache that is full, or asked for a row it does not have, reports it.
@Test func cacheLimitsThrow() throws {
    let model = try TinyModel.load()
    let cache = try model.makeCache(batchSize: 1, capacity: 2)
    let two = try TokenBatch(tokens: [1, 2], batchSize: 1, length: 2)
    _ = try model.extend(cache, with: two)
    let one = try TokenBatch(tokens: [3], batchSize: 1, length: 1)
    #expect(throws: GPT2Error.self) { try model.extend(cache, with: one) }
    #expect(throws: GPT2Error.self) { try cache.select(rows: [1]) }
    // After a reset the same tokens give the same logits as a fresh cache.
    try cache.reset()
    #expect(cache.length == 0 && cache.nextPosition == [0])
    let again = try model.extend(cache, with: two, rows: .all)
    let fresh = try model.logits(two, rows: .all)
    #expect(again.values == fresh.values)
    #expect(throws: GPT2Error.self) { try cache.reset(prefix: PrefixSlots(config: model.config, length: 1)) }
    #expect(throws: GPT2Error.self) {
        try model.makeCache(batchSize: 1, capacity: 3, prefix: PrefixSlots(config: model.config, length: 3))
    }
}

/// A cache larger than the machine (a huge row or slot count) is a typed error, never an overflow trap or a
/// failed allocation.
@Test(arguments: [(Int.max / 2, 4), (1, Int.max / 2), (1 << 20, 1 << 20)])
func hugeCachesAreErrors(rows: Int, slots: Int) throws {
    let model = try TinyModel.load()
    #expect(throws: GPT2Error.self) { try model.makeCache(batchSize: rows, capacity: slots) }
}

/// With random prefix keys/values in front (PEFT's past_key_values, mask extended with ones, positions
/// starting at P), logits and losses equal transformers'.
@Test(arguments: ["right", "left"])
func prefixForwardMatchesTransformers(side: String) throws {
    let model = try TinyModel.load()
    let fixture = try Fixtures.json(PrefixFixture.self, "forward/prefix.json")
    let c = side == "right" ? fixture.right : fixture.left
    let prefix = fixture.slots(config: model.config)
    let logits = try model.logits(c.batch(), rows: .positions(c.logit_positions), prefix: prefix)
    let diff = maxAbsDifference(logits.values, c.logits)
    #expect(diff <= 1e-4, "max |Δlogit| = \(diff)")
    let expected = try #require(c.losses["0.0"])
    let loss = try model.loss(c.batch(), labels: c.labels, prefix: prefix)
    #expect(abs(loss.loss - expected.mean) <= 1e-4 * max(1, expected.mean))
}

/// PEFT's prompt-embedding layout `[P, L·2·C]` round-trips through the slot layout, and slot (l, kv, h, p)
/// holds PEFT's element (p, l·2+kv, h).
@Test func prefixPEFTLayoutRoundTrips() throws {
    let config = try TinyModel.load().config
    let (p, nl, c, hd) = (3, config.nLayer, config.nEmbd, config.headDim)
    let embedding = (0..<(p * nl * 2 * c)).map { Float($0) }
    let slots = try PrefixSlots(config: config, peftEmbedding: embedding)
    #expect(slots.length == p)
    #expect(slots.peftEmbedding() == embedding)
    // layer 1, values, head 2, slot 1, dim 3:
    let mine = slots.values(layer: 1)[(2 * p + 1) * hd + 3]
    #expect(mine == embedding[1 * (nl * 2 * c) + (1 * 2 + 1) * c + 2 * hd + 3])
    #expect(throws: GPT2Error.self) { try PrefixSlots(config: config, peftEmbedding: [1, 2, 3]) }
}
