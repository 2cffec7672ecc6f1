import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

/// The bottleneck methods' defaults are AdapterHub's configs, and their options parse over them: the
/// reduction factor and non-linearity for every kind, MAM's prefix options and the LN options of `+ln`.
@Test func bottleneckOptionsParse() throws {
    #expect(try parseMethod("adapter") == .bottleneck(.sequential, options: .sequential))
    #expect(BottleneckOptions.sequential.bottleneckSize(channels: 768) == 48)
    #expect(BottleneckOptions.parallel.bottleneckSize(channels: 768) == 384)
    #expect(BottleneckOptions.houlsby.nonlinearity == .swish && BottleneckOptions.houlsby.attention)
    var options = BottleneckOptions.sequential
    options.reductionFactor = 8
    options.nonlinearity = .geluNew
    #expect(
        try parseMethod("adapter", "--adapter-reduction-factor", "8", "--adapter-non-linearity=gelu_new")
            == .bottleneck(.sequential, options: options))
    var parallel = BottleneckOptions.parallel
    parallel.nonlinearity = .swish
    #expect(
        try parseMethod("par-adapter", "--adapter-non-linearity", "SiLU") == .bottleneck(.parallel, options: parallel))
    #expect(
        try parseMethod("adapter+ln", "--ln-modules", "attn", "--adapter-reduction-factor", "2.5")
            == .bottleneckLN(
                .sequential,
                options: BottleneckOptions(
                    attention: false, mlp: true, placement: .residualStream, reductionFactor: 2.5,
                    nonlinearity: .relu),
                ln: LNTuningOptions(modules: [.attn])))
    #expect(try parseMethod("mam") == .mam())
    #expect(
        try parseMethod("mam+ln", "--prefix-length", "8", "--prefix-hidden", "64", "--ln-terms", "bias")
            == .mamLN(
                prefix: PrefixTuningOptions(virtualTokens: 8, projection: .mlp(hidden: 64), shiftsPositions: false),
                ln: LNTuningOptions(terms: [.bias])))
    #expect(MAMTuning().prefix?.positionCount == 0)
}

/// Bad values and options of other methods are refused naming the option.
@Test func badBottleneckOptionsAreRefused() {
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("adapter", "--adapter-reduction-factor", "0") }
            .contains(
                "out of range: use more than 0, at most 65,536"))
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("adapter", "--adapter-non-linearity", "mish") }
            .contains(
                "expected one of relu, swish, gelu, gelu_new, tanh, leakyrelu"))
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("adapter", "--prefix-length", "3") }.contains(
            "needs --method prefix"))
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("mam", "--prefix-length", "0") }.contains("at least 1")
    )
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("ln", "--adapter-reduction-factor", "4") }.contains(
            "needs --method adapter"))
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("mam", "--prefix-direct", "--prefix-hidden", "8") }
            .contains(
                "without the MLP"))
}

/// AdapterHub's initialisations: `bert` N(0, 0.02) projections, `houlsby` N(0, 0.01) cut at ±0.02, `mam_adapter`
/// a U(±1/√C) down-projection and zeros elsewhere (the identity); biases start at zero in all three.
@Test(arguments: BottleneckOptions.Initialisation.allCases)
func bottleneckInitialisations(_ initialisation: BottleneckOptions.Initialisation) throws {
    let config = GPT2Config(vocabSize: 10, nPositions: 8, nEmbd: 64, nLayer: 2, nHead: 4)
    var options = BottleneckOptions.houlsby
    options.reductionFactor = 2
    options.initialisation = initialisation
    let module = BottleneckModule(config: config, options: options)
    var random = TuningRandom(seed: 5)
    module.initialize(random: &random)
    for t in module.tensors {
        let values = Array(module.buffer(t))
        let rms = (values.reduce(0) { $0 + Double($1 * $1) } / Double(values.count)).squareRoot()
        let isUp = t.name.hasSuffix("adapter_up.weight")
        switch (t.shape.count, initialisation) {
        case (1, _): #expect(values.allSatisfy { $0 == 0 }, "\(t.name)")
        case (_, .bert): #expect(abs(rms - 0.02) < 0.002, "\(t.name): rms \(rms)")
        case (_, .houlsby):
            #expect(values.allSatisfy { abs($0) <= 0.02 } && rms > 0.007 && rms < 0.0095, "\(t.name): rms \(rms)")
        case (_, .mamAdapter) where isUp: #expect(values.allSatisfy { $0 == 0 }, "\(t.name)")
        case (_, .mamAdapter):
            let bound: Float = 1 / 8
            #expect(values.allSatisfy { abs($0) <= bound } && abs(rms - Double(bound) / 3.0.squareRoot()) < 0.01)
        }
    }
}
