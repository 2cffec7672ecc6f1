import Foundation
import Testing

import GPT2

/// Bytes of `buffer` that are resident in memory (`mincore`), counted page by page: a measure of this
/// buffer alone, whatever the tests running beside it allocate.
private func residentBytes(of buffer: UnsafeMutableBufferPointer<Float>) throws -> Int {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let base = try #require(buffer.baseAddress, "the buffer has no storage")
    let start = UInt(bitPattern: base) & ~UInt(page - 1)
    let end = UInt(bitPattern: base + buffer.count)
    let length = Int(end - start)
    var flags = [UInt8](repeating: 0, count: (length + page - 1) / page)
    let status = mincore(UnsafeMutableRawPointer(bitPattern: start), length, &flags)
    try #require(status == 0, "mincore failed: errno \(errno)")
    return flags.reduce(0) { $0 + Int($1 & 1) } * page
}

/// A zero-filled GPT-2 small buffer (498 MB) reads as zero, and costs memory only for the pages written:
/// a gradient buffer of which LN-Tuning writes only the LayerNorm ranges must not hold 500 MB resident.
@Test func zeroFilledBuffersCostOnlyTheWrittenPages() throws {
    let gradients = GPT2Parameters(config: .small)
    let lnTensors = gradients.layout.slots.map(\.tensor).filter { tensor in
        switch tensor {
        case .finalNormWeight, .finalNormBias: return true
        case let .block(_, t): return t.isLayerNorm
        case .tokenEmbedding, .positionEmbedding: return false
        }
    }
    #expect(lnTensors.count == 50)
    var sum: Float = 0
    for tensor in lnTensors {
        let values = gradients[tensor]
        for i in values.indices { sum += values[i]; values[i] = 1 }
    }
    #expect(sum == 0)
    // 50 LayerNorm tensors (ln_1 and ln_2 gain+bias in 12 blocks, and ln_f) touch at most two 2 MB huge pages
    // per block (~50 MB); a zero-filled heap buffer would be ~498 MB resident.
    let resident = try residentBytes(of: gradients.buffer)
    #expect(resident <= 64 << 20, "\(resident) bytes of the buffer are resident")
    // Spot checks across the untouched tensors, first and last value of each.
    let lnOffsets = Set(lnTensors.map { gradients.layout.slot($0).offset })
    for slot in gradients.layout.slots where !lnOffsets.contains(slot.offset) {
        #expect(gradients.base[slot.offset] == 0 && gradients.base[slot.offset + slot.count - 1] == 0)
    }
}

/// A copy is deep and exact.
@Test func copyIsDeep() {
    let original = GPT2Parameters(config: .small)
    original.base[7] = 3.5
    original.base[original.count - 1] = -2
    let copy = original.copy()
    original.base[7] = 0
    #expect(copy.base[7] == 3.5 && copy.base[copy.count - 1] == -2)
}
