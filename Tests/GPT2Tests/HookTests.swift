import Foundation
import Testing
import TestSupport

import GPT2
import Kernels

/// A test extension with a dense map at each of its sites: `beside` adds input·M, a sublayer hook adds
/// input·M (+ branch·M′ after a sublayer), M `[in, out]`. Linear in everything, so finite differences check
/// its parameter gradients and the input gradients it passes to the model exactly up to float rounding.
/// It saves the sublayer output h in its workspace during a training forward, as a real adapter would.
final class DenseHooks: ModelExtension, @unchecked Sendable {
    struct Map {
        let offset: Int, inWidth: Int, outWidth: Int
        var count: Int { inWidth * outWidth }
    }
    let hookSites: [HookSite]
    let rowsOfSavedBranch: Int
    private(set) var maps: [HookSite: (input: Map, branch: Map?)] = [:]
    private var savedBranch: [HookSite: Int] = [:]
    /// Stable storage: finite differences perturb it while the model reads it.
    let values: UnsafeMutableBufferPointer<Float>
    var parameterCount: Int { values.count }

    init(config: GPT2Config, sites: [HookSite], seed: UInt64, scale: Float = 0.05) {
        hookSites = sites
        var offset = 0, saved = 0
        for site in sites {
            let (inW, outW): (Int, Int)
            if case let .beside(linear) = site.point {
                (inW, outW) = linear.shape(config)
            } else {
                (inW, outW) = (config.nEmbd, config.nEmbd)
            }
            let input = Map(offset: offset, inWidth: inW, outWidth: outW)
            offset += input.count
            var branch: Map?
            if site.point == .afterAttention || site.point == .afterMLP {
                branch = Map(offset: offset, inWidth: outW, outWidth: outW)
                offset += outW * outW
                savedBranch[site] = saved
                saved += 1
            }
            maps[site] = (input, branch)
        }
        rowsOfSavedBranch = saved * config.nEmbd
        var random = SeededRandom(seed: seed)
        values = .allocate(capacity: offset)
        _ = values.initialize(from: random.normals(offset, std: scale))
    }

    deinit { values.deallocate() }

    func workspaceCount(rows: Int, training: Bool) -> Int { training ? rows * rowsOfSavedBranch : 0 }

    /// out[n, o] += Σ_i inp[n, i]·M[i, o]
    private func apply(_ m: Map, _ inp: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int) {
        for r in 0..<rows {
            for o in 0..<m.outWidth {
                var s: Float = 0
                for i in 0..<m.inWidth { s += inp[r * m.inWidth + i] * values[m.offset + i * m.outWidth + o] }
                out[r * m.outWidth + o] += s
            }
        }
    }

    /// dinp += dout·Mᵀ, dM += inpᵀ·dout.
    private func back(
        _ m: Map, _ inp: UnsafePointer<Float>, _ dout: UnsafePointer<Float>, _ dinp: UnsafeMutablePointer<Float>?,
        _ grads: UnsafeMutablePointer<Float>?, rows: Int
    ) {
        for r in 0..<rows {
            for i in 0..<m.inWidth {
                for o in 0..<m.outWidth {
                    let d = dout[r * m.outWidth + o]
                    dinp?[r * m.inWidth + i] += d * values[m.offset + i * m.outWidth + o]
                    grads?[m.offset + i * m.outWidth + o] += inp[r * m.inWidth + i] * d
                }
            }
        }
    }

    func forward(_ point: HookPoint, _ io: HookForward) {
        let site = HookSite(layer: io.layer, point: point)
        guard let (input, branch) = maps[site] else { return }
        // Into a temporary first: a hook reads all its inputs before it adds into its output.
        var delta = [Float](repeating: 0, count: io.rows * input.outWidth)
        delta.withUnsafeMutableBufferPointer { d in
            guard let out = d.baseAddress else { return }
            apply(input, io.input, out, rows: io.rows)
            if let branch, let h = io.branch {
                apply(branch, h, out, rows: io.rows)
                if io.training, let slot = savedBranch[site] {
                    (io.workspace + slot * io.rows * io.outputWidth).update(from: h, count: io.rows * io.outputWidth)
                }
            }
        }
        for i in 0..<delta.count { io.output[i] += delta[i] }
    }

    func backward(_ point: HookPoint, _ io: HookBackward) {
        let site = HookSite(layer: io.layer, point: point)
        guard let (input, branch) = maps[site] else { return }
        back(input, io.input, io.doutput, io.dinput, io.gradients, rows: io.rows)
        if let branch, let slot = savedBranch[site] {
            let h = io.workspace + slot * io.rows * io.outputWidth
            back(branch, h, io.doutput, io.dbranch, io.gradients, rows: io.rows)
        }
    }
}

/// Every hook point in both blocks of the tiny model.
func everyHookSite(layers: Int) -> [HookSite] {
    (0..<layers).flatMap { l in HookPoint.allCases.map { HookSite(layer: l, point: $0) } }
}

private func hookBatch() throws -> (TokenBatch, [Int32]) {
    let rows: [[Int32]] = [[5, 9, 31, 7, 200, 3], [11, 12, 13, 14]]
    let batch = try TokenBatch(rows: rows, padding: .right)
    var labels = [Int32](repeating: -100, count: batch.tokens.count)
    for (b, row) in rows.enumerated() { for t in 1..<row.count { labels[b * batch.length + t] = row[t] } }
    return (batch, labels)
}

/// The extension's parameter gradients, and the gradients of base tensors below its hooks (which the hooks'
/// input gradients reach), match central differences of the loss; with GPT-2's dropout on as well.
@Test(arguments: [0, 0.2] as [Float])
func hookGradientsMatchFiniteDifferences(dropoutRate: Float) throws {
    let base = try TinyModel.load()
    let hooks = DenseHooks(config: base.config, sites: everyHookSite(layers: base.config.nLayer), seed: 3)
    let model = try base.extended(with: hooks)
    let (batch, labels) = try hookBatch()
    let dropout = DropoutMask(rate: dropoutRate, key: 99)
    let request = GradientRequest(tensors: [.block(0, .ln1Weight), .positionEmbedding], extensionParameters: true)
    let gradients = GPT2Parameters(config: model.config)
    var extensionGradients = [Float](repeating: 0, count: hooks.parameterCount)
    _ = try extensionGradients.withUnsafeMutableBufferPointer { g in
        try model.lossAndGradients(
            batch, labels: labels, request: request, gradients: gradients, extensionGradients: g, dropout: dropout)
    }
    // The loss with the same dropout masks, through a frozen forward of the same graph.
    func loss() -> Double {
        let probe = GPT2Parameters(config: model.config)
        var scratch = [Float](repeating: 0, count: hooks.parameterCount)
        return
            (try? scratch.withUnsafeMutableBufferPointer { g in
                try model.lossAndGradients(
                    batch, labels: labels, request: GradientRequest(extensionParameters: true), gradients: probe,
                    extensionGradients: g, dropout: dropout
                ).loss
            }) ?? .nan
    }
    var random = SeededRandom(seed: 5)
    let picks = (0..<60).map { _ in Int.random(in: 0..<hooks.parameterCount, using: &random) }
    let report = FiniteDifference.check(
        hooks.values.baseAddress.unsafelyUnwrapped, count: hooks.values.count, analytic: extensionGradients,
        indices: picks, step: 1e-2, loss: loss)
    #expect(report.maxError < 2e-2, "extension parameters: \(report)")
    for tensor in [GPT2Tensor.block(0, .ln1Weight), .positionEmbedding] {
        let values = model.parameters[tensor]
        let r = FiniteDifference.check(
            values.baseAddress.unsafelyUnwrapped, count: values.count, analytic: Array(gradients[tensor]),
            indices: Array(0..<min(values.count, 40)), step: 1e-2, loss: loss)
        #expect(r.maxError < 2e-2, "\(tensor.huggingFaceName): \(r)")
    }
}

/// An extension whose maps are all zero is the plain model: bit for bit with `beside` hooks only (they add
/// an exact zero to the Linear's output), within float rounding with sublayer hooks (the sublayer's output
/// then joins the stream through a buffer of its own, which rounds the bias and the product separately).
@Test func zeroExtensionIsThePlainModel() throws {
    let base = try TinyModel.load()
    let (batch, _) = try hookBatch()
    let want = try base.logits(batch).values
    let besideOnly = everyHookSite(layers: base.config.nLayer).filter {
        if case .beside = $0.point { return true } else { return false }
    }
    let beside = DenseHooks(config: base.config, sites: besideOnly, seed: 1, scale: 0)
    let got = try base.extended(with: beside).logits(batch).values
    #expect(got.map(\.bitPattern) == want.map(\.bitPattern), "beside hooks changed the logits")
    let every = DenseHooks(config: base.config, sites: everyHookSite(layers: base.config.nLayer), seed: 1, scale: 0)
    let all = try base.extended(with: every).logits(batch).values
    let scale = want.map { abs($0) }.max() ?? 1
    #expect((zip(all, want).map { abs($0 - $1) }.max() ?? .infinity) <= 1e-6 * scale)
}

/// The hooks run in incremental decoding too: a prompt fed token by token through the KV cache gives the
/// logits of one forward over the whole prompt.
@Test func hooksRunInIncrementalDecoding() throws {
    let base = try TinyModel.load()
    let hooks = DenseHooks(config: base.config, sites: everyHookSite(layers: base.config.nLayer), seed: 8)
    let model = try base.extended(with: hooks)
    let tokens: [Int32] = [5, 9, 31, 7, 200, 3]
    let whole = try model.logits(try TokenBatch(rows: [tokens], padding: .right), rows: .all)
    let plain = try base.logits(try TokenBatch(rows: [tokens], padding: .right), rows: .all)
    let cache = try model.makeCache(batchSize: 1, capacity: tokens.count)
    var stepped: [Float] = []
    for t in tokens {
        stepped += try model.extend(cache, with: try TokenBatch(rows: [[t]], padding: .right)).values
    }
    let scale = whole.values.map { abs($0) }.max() ?? 1
    let error = zip(stepped, whole.values).map { abs($0 - $1) }.max() ?? .infinity
    #expect(error <= 1e-5 * scale, "stepped vs whole: \(error)")
    #expect(zip(plain.values, whole.values).map { abs($0 - $1) }.max() ?? 0 > 1e-3 * scale, "the hooks changed nothing")
}

/// Hooks in blocks the model lacks are refused with the block named.
@Test func hooksOutsideTheModelAreRefused() throws {
    let base = try TinyModel.load()
    let hooks = DenseHooks(config: base.config, sites: [HookSite(layer: 5, point: .afterMLP)], seed: 1)
    #expect(throws: GPT2Error.self) { try base.extended(with: hooks) }
}

/// The backward stops at the lowest hook: with hooks only in the upper block (after its attention, parallel
/// to its MLP) the extension's gradients are those of a backward that goes all the way down, bit for bit.
@Test func backwardStopsAtTheLowestHook() throws {
    let base = try TinyModel.load()
    let sites = [HookSite(layer: 1, point: .afterAttention), HookSite(layer: 1, point: .parallelMLP)]
    let hooks = DenseHooks(config: base.config, sites: sites, seed: 12)
    let model = try base.extended(with: hooks)
    let (batch, labels) = try hookBatch()
    func gradients(_ request: GradientRequest) throws -> [Float] {
        var g = [Float](repeating: 0, count: hooks.parameterCount)
        _ = try g.withUnsafeMutableBufferPointer { buffer in
            try model.lossAndGradients(
                batch, labels: labels, request: request, gradients: GPT2Parameters(config: model.config),
                extensionGradients: buffer)
        }
        return g
    }
    let shallow = try gradients(GradientRequest(extensionParameters: true))
    let deep = try gradients(GradientRequest(tensors: [.positionEmbedding], extensionParameters: true))
    #expect(shallow.map(\.bitPattern) == deep.map(\.bitPattern))
    #expect(shallow.contains { $0 != 0 })
}
