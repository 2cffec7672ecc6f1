import Foundation
import Testing
import TestSupport

import GPT2

/// The parameter layout must count exactly what the published models hold (PEFT's "all params").
@Test func gpt2SmallParameterCount() {
    #expect(ParameterLayout(config: .small).totalCount == 124_439_808)
    #expect(ParameterLayout(config: .medium).totalCount == 354_823_168)
}

/// A config.json from transformers decodes, and unsupported settings are rejected with the key named.
@Test func configDecodingAndValidation() throws {
    let config = try JSONDecoder().decode(
        GPT2Config.self, from: Data(contentsOf: Fixtures.url("tiny-gpt2/config.json")))
    try config.validate(source: "config.json")
    var bad = config
    bad.activationFunction = "relu"
    #expect(throws: GPT2Error.self) { try bad.validate(source: "config.json") }
}

/// Every slot is contiguous and the slots tile the buffer without gaps.
@Test func layoutTilesTheBuffer() {
    let layout = ParameterLayout(config: .small)
    var next = 0
    for slot in layout.slots {
        #expect(slot.offset == next)
        next += slot.count
    }
    #expect(next == layout.totalCount)
    #expect(layout.slot(named: "transformer.h.3.ln_2.bias")?.tensor == .block(3, .ln2Bias))
}
