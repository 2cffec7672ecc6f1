import Kernels

/// The bf16 copies of a model's matrix-product weights (`--precision bf16`): every block's four Conv1D weights
/// and the tied LM head (`wte` as the head; the embedding lookup keeps reading the f32 `wte`, as autocast's
/// `embedding` runs in f32). Made once, when the model is made: a frozen weight is rounded once instead of at
/// every product as autocast does. A weight that trains keeps its f32 master in the parameter buffer; its bf16
/// copy is re-rounded after each optimizer step (`refresh(overlapping:)`), which is autocast's per-step cast.
final class ReducedPrecisionWeights: @unchecked Sendable {
    /// The copies by the offset of their f32 original in the parameter buffer.
    private let matrices: [Int: (slot: TensorSlot, matrix: BFloat16Matrix)]
    private let parameters: GPT2Parameters

    /// The tensors with a bf16 copy.
    static func tensors(_ config: GPT2Config) -> [GPT2Tensor] {
        [.tokenEmbedding]
            + (0..<config.nLayer).flatMap { l in
                [BlockTensor.attnQKVWeight, .attnProjWeight, .mlpFCWeight, .mlpProjWeight].map {
                    GPT2Tensor.block(l, $0)
                }
            }
    }

    init(_ parameters: GPT2Parameters) {
        self.parameters = parameters
        var matrices: [Int: (slot: TensorSlot, matrix: BFloat16Matrix)] = [:]
        for tensor in Self.tensors(parameters.config) {
            let slot = parameters.layout.slot(tensor)
            // The token embedding is the tied head's weight, stored [V, C]: output-major.
            let matrix = BFloat16Matrix(
                parameters.base + slot.offset, rows: slot.shape[0], columns: slot.shape[1],
                layout: tensor == .tokenEmbedding ? .outputMajor : .inputMajor)
            matrices[slot.offset] = (slot, matrix)
        }
        self.matrices = matrices
    }

    /// The bf16 copy of the f32 weight at `weight` (a pointer into the parameter buffer), if it has one.
    func matrix(for weight: UnsafePointer<Float>) -> BFloat16Matrix? {
        matrices[UnsafePointer(parameters.base).distance(to: weight)]?.matrix
    }

    /// Re-rounds the copies whose f32 originals overlap `ranges` (offsets into the parameter buffer).
    func refresh(overlapping ranges: [Range<Int>]) {
        for (offset, entry) in matrices where ranges.contains(where: { $0.overlaps(entry.slot.range) }) {
            entry.matrix.update(from: parameters.base + offset)
        }
    }
}

extension GPT2Model {
    /// `Linear.forward` at this model's precision: in bf16, a weight with a bf16 copy goes through
    /// `BF16Linear` (inputs rounded to bf16, f32 sums and output); any other weight (an adapter's, say) runs
    /// in f32.
    func projection(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, rows n: Int, inFeatures c: Int, outFeatures oc: Int,
        layout: Linear.WeightLayout = .inputMajor, accumulate: Bool = false
    ) {
        if let matrix = reducedPrecision?.matrix(for: weight) {
            BF16Linear.forward(
                out: out, inp: inp, weight: matrix, bias: bias, rows: n, inFeatures: c, outFeatures: oc, layout: layout,
                accumulate: accumulate)
        } else {
            Linear.forward(
                out: out, inp: inp, weight: weight, bias: bias, rows: n, inFeatures: c, outFeatures: oc, layout: layout,
                accumulate: accumulate)
        }
    }

    /// `Linear.backward` at this model's precision (see `BF16Linear.backward`).
    func projectionBackward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>?, weight: UnsafePointer<Float>,
        rows n: Int, inFeatures c: Int, outFeatures oc: Int, layout: Linear.WeightLayout = .inputMajor,
        accumulateInput: Bool = true
    ) {
        if let matrix = reducedPrecision?.matrix(for: weight) {
            BF16Linear.backward(
                dinp: dinp, dweight: dweight, dbias: dbias, dout: dout, inp: inp, weight: matrix, rows: n,
                inFeatures: c, outFeatures: oc, layout: layout, accumulateInput: accumulateInput)
        } else {
            Linear.backward(
                dinp: dinp, dweight: dweight, dbias: dbias, dout: dout, inp: inp, weight: weight, rows: n,
                inFeatures: c, outFeatures: oc, layout: layout, accumulateInput: accumulateInput)
        }
    }

    /// Rounds `count` activations to bf16 in place when this model runs in bf16 (the inputs of attention's
    /// products: q, k, v, and the gradient flowing into them).
    func roundForProducts(_ x: UnsafeMutablePointer<Float>, count: Int) {
        if precision == .bf16 { BFloat16.roundInPlace(x, count) }
    }

    /// After an optimizer step changed the f32 values in `ranges` (offsets into the parameter buffer): the
    /// bf16 copies of those weights are rounded again. Nothing to do in fp32, or when no GEMM weight trains
    /// (LN-Tuning, BitFit, Prefix-Tuning).
    public func parametersChanged(_ ranges: [Range<Int>]) {
        reducedPrecision?.refresh(overlapping: ranges)
    }
}
