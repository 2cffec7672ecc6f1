import GPT2
import Testing
import Tuning

/// The trainable-parameter line equals the numbers the LN-Tuning paper and PEFT give for GPT-2 small.
@Test func lnTuningReportForGPT2Small() {
    let report = ParameterReport(selection: LNTuning().selection(for: ParameterLayout(config: .small)))
    #expect(report.trainable == 38_400)
    #expect(report.description == "trainable params: 38,400 || all params: 124,439,808 || trainable%: 0.0309")
}

/// GPT-2 medium has 100,352 LayerNorm parameters (24 blocks × 2 LNs × 2 terms × 1024 + ln_f).
@Test func lnTuningCountForGPT2Medium() {
    #expect(LNTuning().selection(for: ParameterLayout(config: .medium)).baseParameterCount == 100_352)
}

/// Ablations select exactly the named LayerNorm terms, modules and layers.
@Test func lnAblationsSelectTheNamedTensors() throws {
    let layout = ParameterLayout(config: .medium)
    let options = try LNTuningOptions.parse(terms: "bias", modules: "attn", layers: "12-23")
    let tensors = LNTuning(options: options).trainableTensors(in: layout)
    #expect(tensors == (12...23).map { GPT2Tensor.block($0, .ln1Bias) })
    let selection = LNTuning(options: options).selection(for: layout)
    #expect(selection.lowestTrainableLayer == 12)
    #expect(selection.ranges.count == 12)  // one per block: ln_1.bias ranges are not adjacent

    let finalOnly = try LNTuningOptions.parse(terms: nil, modules: "final", layers: nil)
    #expect(LNTuning(options: finalOnly).trainableTensors(in: layout) == [.finalNormWeight, .finalNormBias])
    #expect(LNTuning(options: finalOnly).selection(for: layout).ranges.count == 1)  // adjacent: merged
}

/// Bad ablation options are typed errors naming the option.
@Test(
    arguments: [("gain,scale", nil, nil), (nil, "attn,ffn", nil), (nil, nil, "3-1"), (nil, nil, "x")]
        as [(String?, String?, String?)])
func badLNOptionsAreRejected(terms: String?, modules: String?, layers: String?) {
    #expect(throws: TuningError.self) { try LNTuningOptions.parse(terms: terms, modules: modules, layers: layers) }
}

/// A layer range outside the model is rejected against that model.
@Test func layerRangeOutsideTheModel() throws {
    let options = try LNTuningOptions.parse(terms: nil, modules: nil, layers: "12-23")
    #expect(throws: TuningError.self) { try options.validate(layerCount: 12) }
    try options.validate(layerCount: 24)
}

/// BitFit trains every bias: 2 LN + 2 attention + 2 MLP biases per block, plus ln_f.bias.
@Test func bitFitSelectsAllBiases() {
    let layout = ParameterLayout(config: .small)
    let d = 768
    let expected = 12 * (d + 3 * d + d + d + 4 * d + d) + d
    #expect(BitFit().selection(for: layout).baseParameterCount == expected)
    #expect(BitFit().selection(for: layout).lowestTrainableLayer == 0)
}

/// Prefix parameter counts: direct P·2Ld; with the MLP, PEFT's count (checked against PEFT on the tiny model:
/// P=5, hidden 16, d=32, L=2 → 2,864 trainable).
@Test func prefixParameterCounts() {
    let tiny = GPT2Config(vocabSize: 307, nPositions: 48, nEmbd: 32, nLayer: 2, nHead: 4)
    #expect(
        PrefixTuningOptions(virtualTokens: 5, projection: .mlp(hidden: 16)).trainableParameterCount(config: tiny)
            == 2_864)
    #expect(PrefixTuningOptions(virtualTokens: 5, projection: .direct).trainableParameterCount(config: tiny) == 5 * 128)
    let selection = PrefixTuning(options: .init(virtualTokens: 5, projection: .mlp(hidden: 16)))
        .selection(for: ParameterLayout(config: tiny))
    #expect(ParameterReport(selection: selection).all == 39_696)  // PEFT: "all params: 39,696"
}
