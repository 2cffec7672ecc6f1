import Testing
import TestSupport

import Kernels

/// AdapterHub's `Adapter` / `ParallelAdapter` modules alone, as its bottleneck layer drives them on GPT-2
/// (eval/reference/make_bottleneck_fixtures.py, `module.json`): the sub-layer output h and residual r become
/// h + r + s·up(f(down(input))), input being h + r (`residual-stream`), h (`branch-output`) or r (`parallel`).
private struct ModuleCase: Decodable, Sendable {
    let placement: String, non_linearity: String
    let scaling: Float
    let rows: Int, channels: Int, bottleneck: Int
    let weights: [String: [Float]], gradients: [String: [Float]]
    let h: [Float], r: [Float], output: [Float], upstream: [Float], dh: [Float], dr: [Float]

    static let table = FixtureTable<[ModuleCase]>("bottleneck/module.json")
}

/// Every placement and non-linearity: the output, ∂h, ∂r and the four weight gradients equal torch's within
/// 1e-5 of their scale.
@Test(arguments: try ModuleCase.table.cases(count: 18) { $0.indices.map { $0 } })
func bottleneckMatchesAdapterHubModule(_ index: Int) throws {
    let f = try ModuleCase.table.value()[index]
    let nonlinearity = try #require(Nonlinearity(adapterHubName: f.non_linearity))
    let (n, c, m) = (f.rows, f.channels, f.bottleneck)
    let input: TestBuffer<Float>
    switch f.placement {
    case "residual-stream": input = TestBuffer(zip(f.h, f.r).map { $0 + $1 })
    case "branch-output": input = TestBuffer(f.h)
    default: input = TestBuffer(f.r)
    }
    let wd = TestBuffer(try #require(f.weights["adapter_down.0.weight"]))
    let bd = TestBuffer(try #require(f.weights["adapter_down.0.bias"]))
    let wu = TestBuffer(try #require(f.weights["adapter_up.weight"]))
    let bu = TestBuffer(try #require(f.weights["adapter_up.bias"]))
    let out = TestBuffer(zip(f.h, f.r).map { $0 + $1 })
    let pre = TestBuffer<Float>(zeros: n * m), act = TestBuffer<Float>(zeros: n * m)
    Bottleneck.forward(
        out: out.pointer, pre: pre.pointer, act: act.pointer, inp: input.readOnly, downWeight: wd.readOnly,
        downBias: bd.readOnly, upWeight: wu.readOnly, upBias: bu.readOnly, scaling: f.scaling,
        nonlinearity: nonlinearity, rows: n, channels: c, bottleneck: m)
    let label = "\(f.placement) \(f.non_linearity)"
    #expect(scaledError(out.array, f.output) <= 1e-5, "\(label): output")

    // ∂(h + r + A(input)): the identity parts, plus A's input gradient where the input came from.
    let dinput = TestBuffer<Float>(zeros: n * c), scratch = TestBuffer<Float>(zeros: n * m)
    let dwd = TestBuffer<Float>(zeros: m * c), dbd = TestBuffer<Float>(zeros: m)
    let dwu = TestBuffer<Float>(zeros: c * m), dbu = TestBuffer<Float>(zeros: c)
    let dout = TestBuffer(f.upstream)
    Bottleneck.backward(
        dinp: dinput.pointer, ddownWeight: dwd.pointer, ddownBias: dbd.pointer, dupWeight: dwu.pointer,
        dupBias: dbu.pointer, scratch: scratch.pointer, dout: dout.readOnly, inp: input.readOnly, pre: pre.readOnly,
        act: act.readOnly, downWeight: wd.readOnly, upWeight: wu.readOnly, scaling: f.scaling,
        nonlinearity: nonlinearity, rows: n, channels: c, bottleneck: m)
    let readsH = f.placement != "parallel", readsR = f.placement != "branch-output"
    let dh = zip(f.upstream, dinput.array).map { $0 + (readsH ? $1 : 0) }
    let dr = zip(f.upstream, dinput.array).map { $0 + (readsR ? $1 : 0) }
    #expect(scaledError(dh, f.dh) <= 1e-5, "\(label): dh")
    #expect(scaledError(dr, f.dr) <= 1e-5, "\(label): dr")
    for (name, grad) in [
        ("adapter_down.0.weight", dwd), ("adapter_down.0.bias", dbd), ("adapter_up.weight", dwu),
        ("adapter_up.bias", dbu),
    ] {
        #expect(scaledError(grad.array, try #require(f.gradients[name])) <= 1e-5, "\(label): \(name)")
    }
}

/// max |a − b| / max |b|.
private func scaledError(_ got: [Float], _ want: [Float]) -> Float {
    guard got.count == want.count else { return .infinity }
    return maxAbsDifference(got, want) / max(want.map { abs($0) }.max() ?? 0, 1e-12)
}
