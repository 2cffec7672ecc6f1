import GPT2
import Kernels

/// The trainable parameters of Prefix-Tuning, as PEFT's `PrefixEncoder` holds them, in one flat buffer:
///
/// - direct: `embedding.weight` `[P, 2·L·d]`, the prefix itself;
/// - MLP (Li & Liang's reparameterisation): `embedding.weight` `[P, d]` → `transform.0` Linear(d, h) → tanh →
///   `transform.2` Linear(h, 2·L·d). Weights are torch `nn.Linear` `[out, in]`.
///
/// `slots()` is the encoder's forward (`get_prompt`: output row p = every layer's keys and values of slot p,
/// PEFT's `[P, L, 2, NH, hd]` view); `backward` maps the model's prefix key/value gradients back to these
/// parameters. The MLP's hidden activations are recomputed in `backward` rather than kept: they cost a
/// P×d×h product, and not caching keeps the type free of hidden state between calls.
public final class PrefixParameters: @unchecked Sendable {
    /// One named tensor of the encoder (PEFT's state-dict name without `prompt_encoder.default.`).
    public struct Tensor: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
        public var range: Range<Int> { offset..<(offset + count) }
        /// HF Trainer's rule: biases are not weight-decayed.
        public var decays: Bool { !name.hasSuffix("bias") }
    }

    public let config: GPT2Config
    public let options: PrefixTuningOptions
    public let tensors: [Tensor]
    public let values: FloatBuffer

    /// Zero-filled parameters for `options` on a model of `config` (to be loaded from a checkpoint).
    public init(config: GPT2Config, options: PrefixTuningOptions) {
        self.config = config
        self.options = options
        let p = max(options.virtualTokens, 0), d = config.nEmbd, w = PrefixTuningOptions.rowWidth(config: config)
        var shapes: [(String, [Int])]
        switch options.projection {
        case .direct:
            shapes = [("embedding.weight", [p, w])]
        case let .mlp(h):
            shapes = [
                ("embedding.weight", [p, d]), ("transform.0.weight", [h, d]), ("transform.0.bias", [h]),
                ("transform.2.weight", [w, h]), ("transform.2.bias", [w]),
            ]
        }
        var offset = 0
        var tensors: [Tensor] = []
        for (name, shape) in shapes {
            tensors.append(Tensor(name: name, shape: shape, offset: offset))
            offset += shape.reduce(1, *)
        }
        self.tensors = tensors
        values = FloatBuffer(count: offset)
    }

    /// Parameters initialised as PEFT's `PrefixEncoder` is by torch: the embedding N(0, 1) (`nn.Embedding`),
    /// each Linear's weight and bias U(−1/√fan_in, 1/√fan_in) (`nn.Linear`'s `kaiming_uniform_(a=√5)`),
    /// drawn from `random` in tensor order.
    public convenience init(config: GPT2Config, options: PrefixTuningOptions, random: inout TuningRandom) {
        self.init(config: config, options: options)
        for t in tensors {
            let view = self[t.name]
            if t.name == "embedding.weight" {
                for i in view.indices { view[i] = random.normal() }
            } else {
                // transform.0 maps d → h, transform.2 maps h → 2·L·d; the fan-in is the input width.
                let fanIn = t.name.hasPrefix("transform.0") ? config.nEmbd : self["transform.0.bias"].count
                let bound = 1 / Float(fanIn).squareRoot()
                for i in view.indices { view[i] = random.uniform(bound: bound) }
            }
        }
    }

    public var count: Int { values.count }

    /// An independent copy with the same values (an adapter snapshot of a run that goes on training).
    public func copy() -> PrefixParameters {
        let other = PrefixParameters(config: config, options: options)
        other.values.base.update(from: values.base, count: values.count)
        return other
    }
    public var virtualTokens: Int { max(options.virtualTokens, 0) }

    /// The storage of tensor `name` (empty for an unknown name).
    public subscript(name: String) -> UnsafeMutableBufferPointer<Float> {
        guard let t = tensors.first(where: { $0.name == name }) else {
            return UnsafeMutableBufferPointer(start: nil, count: 0)
        }
        return UnsafeMutableBufferPointer(start: values.base + t.offset, count: t.count)
    }

    private func pointer(_ name: String, in buffer: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
        buffer + (tensors.first { $0.name == name }?.offset ?? 0)
    }

    /// The encoder's output `[P, 2·L·d]` in PEFT's layout (what an adapter stores as `prompt_embeddings`).
    public func embedding() -> [Float] {
        let p = virtualTokens, w = PrefixTuningOptions.rowWidth(config: config)
        switch options.projection {
        case .direct:
            return Array(self["embedding.weight"])
        case let .mlp(h):
            var out = [Float](repeating: 0, count: p * w)
            let hidden = self.hidden(hiddenSize: h)
            hidden.withUnsafeBufferPointer { hb in
                out.withUnsafeMutableBufferPointer { ob in
                    guard let hp = hb.baseAddress, let op = ob.baseAddress else { return }
                    Linear.forward(
                        out: op, inp: hp, weight: pointer("transform.2.weight", in: values.base),
                        bias: pointer("transform.2.bias", in: values.base), rows: p, inFeatures: h, outFeatures: w,
                        layout: .outputMajor)
                }
            }
            return out
        }
    }

    /// The prefix the model attends to: the encoder's output as key/value slots.
    public func slots() -> PrefixSlots {
        // The embedding always holds a whole number of rows of the right width, so the conversion cannot fail.
        (try? PrefixSlots(config: config, peftEmbedding: embedding(), shiftsPositions: options.shiftsPositions))
            ?? PrefixSlots(config: config, length: 0)
    }

    /// tanh(E · W₁ᵀ + b₁), `[P, h]`.
    private func hidden(hiddenSize h: Int) -> [Float] {
        let p = virtualTokens, d = config.nEmbd
        var hidden = [Float](repeating: 0, count: max(p * h, 1))
        hidden.withUnsafeMutableBufferPointer { hb in
            guard let hp = hb.baseAddress else { return }
            Linear.forward(
                out: hp, inp: pointer("embedding.weight", in: values.base),
                weight: pointer("transform.0.weight", in: values.base),
                bias: pointer("transform.0.bias", in: values.base), rows: p, inFeatures: d, outFeatures: h,
                layout: .outputMajor)
            Tanh.forward(out: hp, inp: hp, count: p * h)
        }
        return hidden
    }

    /// Adds ∂loss/∂(these parameters) into `gradients` (same layout as `values`), given ∂loss/∂(prefix slots).
    public func backward(slotGradients: PrefixSlots, into gradients: FloatBuffer) {
        precondition(gradients.count == count, "PrefixParameters.backward: gradient buffer of the wrong size")
        let p = virtualTokens, d = config.nEmbd, w = PrefixTuningOptions.rowWidth(config: config)
        guard p > 0 else { return }
        let dOut = slotGradients.peftEmbedding()
        let g = gradients.base
        switch options.projection {
        case .direct:
            dOut.withUnsafeBufferPointer {
                addInPlace(pointer("embedding.weight", in: g), $0.baseAddress.unsafelyUnwrapped, p * w)
            }
        case let .mlp(h):
            let hidden = self.hidden(hiddenSize: h)
            var dHidden = [Float](repeating: 0, count: p * h)
            hidden.withUnsafeBufferPointer { hb in
                dOut.withUnsafeBufferPointer { ob in
                    dHidden.withUnsafeMutableBufferPointer { db in
                        let (hp, op, dp) = (
                            hb.baseAddress.unsafelyUnwrapped, ob.baseAddress.unsafelyUnwrapped,
                            db.baseAddress.unsafelyUnwrapped
                        )
                        Linear.backward(
                            dinp: dp, dweight: pointer("transform.2.weight", in: g),
                            dbias: pointer("transform.2.bias", in: g),
                            dout: op, inp: hp, weight: pointer("transform.2.weight", in: values.base), rows: p,
                            inFeatures: h, outFeatures: w, layout: .outputMajor, accumulateInput: false)
                        Tanh.backward(dinp: dp, dout: dp, out: hp, count: p * h)
                        Linear.backward(
                            dinp: pointer("embedding.weight", in: g), dweight: pointer("transform.0.weight", in: g),
                            dbias: pointer("transform.0.bias", in: g), dout: dp,
                            inp: pointer("embedding.weight", in: values.base),
                            weight: pointer("transform.0.weight", in: values.base), rows: p, inFeatures: d,
                            outFeatures: h,
                            layout: .outputMajor, accumulateInput: true)
                    }
                }
            }
        }
    }
}
