import Foundation
import GPT2
import Tuning

/// What tuning did to the parameters, per layer — the LN-Tuning paper's view: for every LayerNorm (`ln_1`,
/// `ln_2` of each block, `ln_f`) the mean absolute change of its gain γ and bias β from the base checkpoint to
/// the adapter; for other base tensors an adapter replaces (BitFit's biases, full fine-tuning's weights) the
/// mean absolute change per block; for a prefix the Frobenius norm of each layer's keys and values, and for
/// a hook-point module (LoRA, bottleneck adapters) the Frobenius norm of each layer's down and up projections
/// (neither has a "before": they are new parameters).
public struct ParameterChange: Sendable, Equatable {
    public struct LayerNormDelta: Sendable, Equatable {
        public var module: LayerNormModule
        /// Mean |after − before| over the module's γ values, and over its β values.
        public var gain: Double
        public var bias: Double
    }

    public struct BlockDelta: Sendable, Equatable {
        /// `h.3`, `embeddings` (wte, wpe) or `ln_f`.
        public var name: String
        public var meanAbsoluteChange: Double
        /// Values the adapter replaces in this block (LayerNorms excluded).
        public var values: Int
    }

    public struct PrefixNorm: Sendable, Equatable {
        public var layer: Int
        public var keys: Double
        public var values: Double
    }

    /// One hook-point module of one layer: LoRA beside a Linear (`attn.c_attn`) or a bottleneck adapter
    /// (`output_adapters`, `attention_adapters`).
    public struct ModuleNorm: Sendable, Equatable {
        public var layer: Int
        /// The module's name inside the block, as in its adapter file.
        public var module: String
        /// Frobenius norm of the down projection (LoRA's A; the adapter's down weight and bias), and of the up
        /// projection (LoRA's B, which starts at zero; the adapter's up weight and bias).
        public var down: Double
        public var up: Double
    }

    /// The adapter folder compared with the base model.
    public var adapterFolder: String
    /// Every LayerNorm of the model, in layout order (`h.0.ln_1`, `h.0.ln_2`, …, `ln_f`); zero where the
    /// adapter leaves it alone.
    public var layerNorms: [LayerNormDelta]
    /// Blocks with replaced tensors other than LayerNorms, in layout order (empty for LN-Tuning and prefixes).
    public var blocks: [BlockDelta]
    /// Per layer, for methods with a prefix.
    public var prefixNorms: [PrefixNorm]
    /// Per layer and module, in the module's tensor order, for methods with a hook-point module.
    public var moduleNorms: [ModuleNorm]

    /// Whether any LayerNorm value moved.
    public var changesLayerNorms: Bool { layerNorms.contains { $0.gain != 0 || $0.bias != 0 } }

    /// The views a report shows of this change (a table and a figure each).
    public enum View: Sendable { case layerNorms, prefix, modules, blocks }

    public var views: [View] {
        (changesLayerNorms ? [.layerNorms] : []) + (prefixNorms.isEmpty ? [] : [.prefix])
            + (moduleNorms.isEmpty ? [] : [.modules]) + (blocks.isEmpty ? [] : [.blocks])
    }

    public init(base: GPT2Parameters, adapter: Adapter, adapterFolder: String) {
        self.adapterFolder = adapterFolder
        let config = base.config
        func after(_ tensor: GPT2Tensor) -> [Float]? {
            adapter.tensors[tensor] ?? adapter.fullParameters.map { Array($0[tensor]) }
        }
        func meanAbsoluteChange(_ tensor: GPT2Tensor) -> (sum: Double, count: Int)? {
            guard let values = after(tensor) else { return nil }
            let before = base[tensor]
            guard values.count == before.count else { return nil }
            var sum = 0.0
            for i in values.indices { sum += Double(abs(values[i] - before[i])) }
            return (sum, values.count)
        }
        func mean(_ tensor: GPT2Tensor) -> Double {
            guard let (sum, count) = meanAbsoluteChange(tensor), count > 0 else { return 0 }
            return sum / Double(count)
        }
        var norms = (0..<config.nLayer).flatMap { layer in
            [LNModule.attn, .mlp].map { LayerNormModule(layer: layer, module: $0) }
        }
        norms.append(LayerNormModule(layer: nil, module: .final))
        layerNorms = norms.map {
            LayerNormDelta(module: $0, gain: mean($0.tensor(.gain)), bias: mean($0.tensor(.bias)))
        }

        var groups: [(name: String, tensors: [GPT2Tensor])] = [("embeddings", [.tokenEmbedding, .positionEmbedding])]
        for layer in 0..<config.nLayer {
            groups.append(("h.\(layer)", BlockTensor.allCases.filter { !$0.isLayerNorm }.map { .block(layer, $0) }))
        }
        blocks = groups.compactMap { group in
            let parts = group.tensors.compactMap(meanAbsoluteChange)
            let count = parts.reduce(0) { $0 + $1.count }
            guard count > 0 else { return nil }
            return BlockDelta(
                name: group.name, meanAbsoluteChange: parts.reduce(0) { $0 + $1.sum } / Double(count), values: count)
        }

        prefixNorms =
            adapter.prefix.map { prefix in
                (0..<config.nLayer).map { layer in
                    PrefixNorm(
                        layer: layer, keys: Self.norm(prefix.keys(layer: layer), count: prefix.blockCount),
                        values: Self.norm(prefix.values(layer: layer), count: prefix.blockCount))
                }
            } ?? []
        moduleNorms = adapter.extensionModule.map(Self.moduleNorms) ?? []
    }

    /// The module's tensors grouped by layer and module from their names
    /// (`transformer.h.3.attn.c_attn.lora_A.weight`, `transformer.h.3.output_adapters.adapter_up.bias`).
    static func moduleNorms(_ module: any TrainableExtension) -> [ModuleNorm] {
        var norms: [ModuleNorm] = []
        for tensor in module.tensors {
            let parts = tensor.name.split(separator: ".").map(String.init)
            guard let h = parts.firstIndex(of: "h"), h + 1 < parts.count, let layer = Int(parts[h + 1]) else {
                continue
            }
            let rest = parts[(h + 2)...]
            let end = rest.firstIndex { ["lora_A", "lora_B", "adapter_down", "adapter_up"].contains($0) }
            let name = rest[..<(end ?? rest.endIndex)].joined(separator: ".")
            let isDown = end.map { rest[$0] == "lora_A" || rest[$0] == "adapter_down" } ?? false
            let buffer = module.buffer(tensor)
            let squares = buffer.reduce(0.0) { $0 + Double($1) * Double($1) }
            if norms.last?.layer != layer || norms.last?.module != name {
                norms.append(ModuleNorm(layer: layer, module: name, down: 0, up: 0))
            }
            // Squares first; the roots are taken once every tensor of the module is in.
            if isDown { norms[norms.count - 1].down += squares } else { norms[norms.count - 1].up += squares }
        }
        return norms.map {
            ModuleNorm(layer: $0.layer, module: $0.module, down: $0.down.squareRoot(), up: $0.up.squareRoot())
        }
    }

    private static func norm(_ values: UnsafeMutablePointer<Float>, count: Int) -> Double {
        var sum = 0.0
        for i in 0..<count { sum += Double(values[i]) * Double(values[i]) }
        return sum.squareRoot()
    }
}
