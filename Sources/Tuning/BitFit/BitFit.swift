import Foundation
import GPT2

/// BitFit (Ben Zaken et al. 2022): train every bias — attention, MLP and LayerNorm biases — and nothing else.
///
/// PEFT has no BitFit type: the adapter is `bitfit.safetensors` with every bias under its transformers name
/// (`transformer.h.0.attn.c_attn.bias`), which `model.load_state_dict(..., strict=False)` loads, and an
/// `lntune_adapter.json` saying so.
public struct BitFit: TuningMethod, Equatable {
    static let weightsFileName = "bitfit.safetensors"

    public init() {}
    public var name: String { "bitfit" }
    public var optionsDescription: String { "all biases" }
    public var defaultLearningRate: Double { 1e-3 }

    public func validate(for config: GPT2Config) throws(TuningError) {}

    public func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor] {
        layout.slots.map(\.tensor).filter(\.isBias)
    }

    public func writeAdapter(_ adapter: Adapter, to directory: URL) throws(TuningError) {
        let layout = ParameterLayout(config: adapter.modelConfig)
        let tensors = adapter.tensors.keys.sorted { $0.huggingFaceName < $1.huggingFaceName }.map { tensor in
            (
                name: "transformer." + tensor.huggingFaceName, shape: layout.slot(tensor).shape,
                data: adapter.tensors[tensor] ?? []
            )
        }
        try AdapterFiles.writeWeights(tensors, to: directory.appendingPathComponent(Self.weightsFileName))
        try AdapterFiles.writeManifest(adapter, components: nil, weights: Self.weightsFileName, to: directory)
    }

    public func readAdapter(from directory: URL, manifest: LNTuneAdapterManifest, modelConfig: GPT2Config)
        throws(TuningError) -> Adapter
    {
        let file = try AdapterFiles.openWeights(directory, name: manifest.weights ?? Self.weightsFileName)
        let layout = ParameterLayout(config: modelConfig)
        var tensors: [GPT2Tensor: [Float]] = [:]
        for name in file.tensorNames {
            guard let slot = layout.slot(named: name), slot.tensor.isBias else {
                throw .invalidAdapter(file: file.url.path, reason: "tensor '\(name)' is not a bias of this model")
            }
            tensors[slot.tensor] = try AdapterFiles.read(name, from: file, expected: slot.shape)
        }
        return Adapter(
            configuration: .bitfit, modelConfig: modelConfig, tensors: tensors, baseModel: manifest.baseModelNameOrPath)
    }

    public func pythonRecipe(base: String, folder: String) -> String {
        "m = \(base); m.load_state_dict(safetensors.torch.load_file('\(folder)/\(Self.weightsFileName)'), strict=False)"
    }

    public func encodeOptions(to container: inout KeyedEncodingContainer<MethodJSONKey>) throws {}

    static let entry = TuningMethodEntry(
        name: "bitfit", summary: "BitFit: every bias",
        lnCombinationRefusal: "bitfit trains the LayerNorm biases already; use ln or bitfit",
        make: { _ in BitFit() }, decode: { _ in BitFit() })
}

extension TuningConfiguration {
    public static let bitfit = TuningConfiguration(BitFit())
}
