import Foundation
import Kernels
import Testing
import TestSupport

import GPT2

/// torch autocast against float32 on one batch (eval/reference/make_bf16_fixtures.py).
struct BF16Fixture: Decodable {
    struct Run: Decodable {
        let logits: [Float]
        let loss: Double
        let gradients: [String: [Float]]
        let top5: [Int]
    }
    let batch_size: Int, length: Int
    let tokens: [Int32]
    let columns: [Int]
    let fp32: Run
    let autocast: Run
}

/// The GPT-2-small-shaped model of bf16/small.json: small's widths, heads and vocabulary with 2 of its 12 blocks,
/// its weights from the counter-based generator the fixture script uses (`counter_uniform`), one seed per tensor
/// in transformers' `named_parameters` order.
enum CounterWeights {
    static let config = GPT2Config(nPositions: 64, nLayer: 2)

    static func uniform(seed: UInt64, index: Int) -> Float {
        var z = seed &+ UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 24)
    }

    static func model(precision: Precision) throws -> GPT2Model {
        let p = GPT2Parameters(config: config)
        let names =
            ["wte.weight", "wpe.weight"]
            + (0..<config.nLayer).flatMap { l in BlockTensor.allCases.map { "h.\(l).\($0.rawValue)" } }
            + ["ln_f.weight", "ln_f.bias"]
        for (index, name) in names.enumerated() {
            guard let slot = p.layout.slot(named: name) else {
                throw GPT2Error.invalidInput(argument: name, reason: "")
            }
            let isNorm = name.contains(".ln_") || name.hasPrefix("ln_f")
            let (scale, offset): (Float, Float) =
                isNorm
                ? (name.hasSuffix("weight") ? (0.2, 1) : (0.1, 0))
                : (name.hasSuffix("bias") ? (0.02, 0) : (0.02 * Float(3).squareRoot(), 0))
            let seed = UInt64(1000 + index)
            for i in 0..<slot.count {
                p.base[slot.offset + i] = offset + scale * (uniform(seed: seed, index: i) * 2 - 1)
            }
        }
        return try GPT2Model(config: config, parameters: p, precision: precision)
    }
}

/// bf16's unit roundoff: 8 significant bits, so rounding to nearest errs by at most 2⁻⁹ relative.
private let unitRoundoff: Float = 1.0 / 512

/// LNTune's results for one fixture at one precision: logits at the fixture's columns, the mean loss, and the
/// LayerNorm gradients by Hugging Face name.
private func run(_ model: GPT2Model, _ f: BF16Fixture) throws -> (
    logits: [Float], loss: Double, grads: [String: [Float]]
) {
    let batch = try TokenBatch(
        tokens: f.tokens, mask: [UInt8](repeating: 1, count: f.tokens.count), batchSize: f.batch_size,
        length: f.length)
    let logits = try model.logits(batch)
    let v = model.config.vocabSize
    let selected = (0..<logits.rowCount).flatMap { r in f.columns.map { logits.values[r * v + $0] } }
    let request = GradientRequest.layerNorms(model.config)
    let gradients = GPT2Parameters(config: model.config)
    let result = try model.lossAndGradients(batch, labels: f.tokens, request: request, gradients: gradients)
    var grads: [String: [Float]] = [:]
    for slot in model.parameters.layout.slots where request.contains(slot.tensor) {
        grads[slot.tensor.huggingFaceName] = Array(gradients[slot.tensor])
    }
    return (selected, result.loss, grads)
}

/// LNTune `--precision bf16` against `torch.autocast("cpu", dtype=torch.bfloat16)`, on the tiny model and on the
/// GPT-2-small-shaped one: logits, loss and every LayerNorm gradient (LN-Tuning's).
///
/// Tolerance, and why: both compute the same products of the same bf16-rounded inputs (weights rounded once here,
/// per op in torch: the same values), so they share their main error against fp32 — each input rounding, up to
/// 2⁻⁹ relative. They differ by what torch rounds besides (every matmul output, and GELU and the softmax run on
/// bf16 tensors; LNTune keeps those f32), errors of the same size and independent. So the distance between the
/// two is at most about the sum of their distances to fp32: with d = torch autocast's scaled distance to torch
/// fp32 for that tensor (from the fixture: 0.007–0.011 for logits, up to 0.023 for LayerNorm gradients, i.e.
/// 3–12 unit roundoffs), LNTune bf16 must be within 2·d + 2u of autocast and within 2·d + 2u of fp32 (no worse
/// than autocast beyond that factor); and at least d/10 away from fp32, so the rounding really happens. The fp32
/// path is checked against torch fp32 at 1e-4 (which also pins the counter-generated weights).
@Test(arguments: ["tiny", "small"])
func bf16MatchesTorchAutocast(_ name: String) throws {
    let f = try Fixtures.json(BF16Fixture.self, "bf16/\(name).json")
    func load(_ precision: Precision) throws -> GPT2Model {
        if name == "small" { return try CounterWeights.model(precision: precision) }
        let checkpoint = try GPT2Checkpoint.load(directory: Fixtures.url("tiny-gpt2"))
        return try GPT2Model(checkpoint: checkpoint, precision: precision)
    }
    let fp32 = try run(load(.fp32), f)
    let bf16 = try run(load(.bf16), f)
    let u = unitRoundoff

    #expect(scaledError(fp32.logits, f.fp32.logits) <= 1e-4, "fp32 logits")
    let d = scaledError(f.autocast.logits, f.fp32.logits)
    let toAutocast = scaledError(bf16.logits, f.autocast.logits)
    let toFP32 = scaledError(bf16.logits, f.fp32.logits)
    #expect(toAutocast <= 2 * d + 2 * u, "\(name) logits: \(toAutocast) from autocast (autocast–fp32 \(d))")
    #expect(toFP32 <= 2 * d + 2 * u && toFP32 >= d / 10, "\(name) logits: \(toFP32) from fp32 (autocast \(d))")

    let lossD = abs(f.autocast.loss - f.fp32.loss)
    let lossBound = 2 * lossD + 2 * Double(u) * abs(f.fp32.loss)
    #expect(abs(fp32.loss - f.fp32.loss) <= 1e-4 * abs(f.fp32.loss), "fp32 loss")
    #expect(abs(bf16.loss - f.autocast.loss) <= lossBound, "\(name) loss \(bf16.loss) vs \(f.autocast.loss)")

    for (tensor, want) in f.fp32.gradients.sorted(by: { $0.key < $1.key }) {
        let ours = try #require(bf16.grads[tensor]), theirs = try #require(f.autocast.gradients[tensor])
        #expect(scaledError(try #require(fp32.grads[tensor]), want) <= 1e-4, "fp32 \(tensor)")
        let d = scaledError(theirs, want)
        let toAutocast = scaledError(ours, theirs), toFP32 = scaledError(ours, want)
        #expect(toAutocast <= 2 * d + 2 * u, "\(name) \(tensor): \(toAutocast) from autocast (autocast–fp32 \(d))")
        #expect(toFP32 <= 2 * d + 2 * u, "\(name) \(tensor): \(toFP32) from fp32 (autocast–fp32 \(d))")
    }
    print(
        "bf16 parity \(name): logits \(toAutocast) from autocast, \(toFP32) from fp32, autocast–fp32 \(d); "
            + "loss \(bf16.loss) vs autocast \(f.autocast.loss), fp32 \(f.fp32.loss)")
}

/// A trained GEMM weight's bf16 copy follows its f32 master: `parametersChanged` re-rounds exactly the copies
/// whose ranges changed (what the tuner calls after each optimizer step), and a frozen weight's copy stays.
@Test func bf16CopiesFollowTrainedWeights() throws {
    let checkpoint = try GPT2Checkpoint.load(directory: Fixtures.url("tiny-gpt2"))
    let model = try GPT2Model(checkpoint: checkpoint, precision: .bf16)
    let batch = try TokenBatch(tokens: [1, 2, 3, 4], mask: [1, 1, 1, 1], batchSize: 1, length: 4)
    let before = try model.logits(batch).values
    let fc = model.parameters.layout.range(.block(0, .mlpFCWeight))
    for i in fc { model.parameters.base[i] *= 1.5 }
    #expect(try model.logits(batch).values == before, "the copy changed before parametersChanged")
    model.parametersChanged([fc])
    let after = try model.logits(batch).values
    #expect(after != before)
    let fresh = try GPT2Model(config: model.config, parameters: model.parameters, precision: .bf16)
    #expect(try fresh.logits(batch).values == after)
}
