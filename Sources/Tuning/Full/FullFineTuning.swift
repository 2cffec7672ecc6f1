import Foundation
import GPT2

/// Full fine-tuning: every parameter trains (the tied embedding receives gradients from both its uses). The
/// adapter is a complete model folder (`config.json` + `model.safetensors`, `from_pretrained("DIR")`).
public struct FullFineTuning: TuningMethod, Equatable {
    public init() {}
    public var name: String { "full" }
    public var optionsDescription: String { "every parameter" }
    public var defaultLearningRate: Double { 5e-5 }
    public var storesWholeModel: Bool { true }

    public func validate(for config: GPT2Config) throws(TuningError) {}
    public func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor] { layout.slots.map(\.tensor) }

    public func writeAdapter(_ adapter: Adapter, to directory: URL) throws(TuningError) {
        guard let parameters = adapter.fullParameters else {
            throw .invalidAdapter(file: directory.path, reason: "a full fine-tuning adapter needs every parameter")
        }
        try TuningError.wrapping { () throws(GPT2Error) in
            try GPT2Checkpoint(config: adapter.modelConfig, parameters: parameters).save(to: directory)
        }
        try AdapterFiles.writeManifest(adapter, components: nil, weights: "model.safetensors", to: directory)
    }

    public func readAdapter(from directory: URL, manifest: LNTuneAdapterManifest, modelConfig: GPT2Config)
        throws(TuningError) -> Adapter
    {
        let checkpoint = try TuningError.wrapping { () throws(GPT2Error) in
            try GPT2Checkpoint.load(directory: directory)
        }
        guard Adapter.sameShape(checkpoint.config, modelConfig) else {
            throw .invalidAdapter(
                file: directory.path,
                reason: "a full model of shape \(Adapter.shape(checkpoint.config)),"
                    + " not the base model's \(Adapter.shape(modelConfig))")
        }
        return Adapter(
            configuration: .full, modelConfig: modelConfig, fullParameters: checkpoint.parameters,
            baseModel: manifest.baseModelNameOrPath)
    }

    public func pythonRecipe(base: String, folder: String) -> String {
        "m = AutoModelForCausalLM.from_pretrained('\(folder)')"
    }

    public func encodeOptions(to container: inout KeyedEncodingContainer<MethodJSONKey>) throws {}

    static let entry = TuningMethodEntry(
        name: "full", summary: "full fine-tuning: every parameter",
        lnCombinationRefusal: "full fine-tuning trains the LayerNorms already",
        make: { _ in FullFineTuning() }, decode: { _ in FullFineTuning() })
}

extension TuningConfiguration {
    public static let full = TuningConfiguration(FullFineTuning())
}
