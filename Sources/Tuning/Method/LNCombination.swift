import Foundation
import GPT2

/// A method with LN-Tuning added (`prefix+ln`, the combination Qi et al. report as best). PEFT cannot stack
/// two adapters in one model, so the adapter folder holds each part in its own format in a sub-folder named
/// after the part (`ln/`, `prefix/`), and `lntune_adapter.json` names the composition. In Python the LN part
/// is merged first: `PeftModel.from_pretrained(base, "DIR/ln").merge_and_unload()`, then the other part.
struct LNCombination: TuningMethod {
    static let suffix = "+ln"

    let base: any TuningMethod
    let ln: LNTuning

    var name: String { base.name + Self.suffix }
    var optionsDescription: String {
        [base.optionsDescription, ln.optionsDescription].filter { !$0.isEmpty }.joined(separator: "; ")
    }
    /// The gentler of the two rates: a prefix needs a far smaller step than LayerNorm values tolerate.
    var defaultLearningRate: Double { min(base.defaultLearningRate, ln.defaultLearningRate) }
    var parts: [any TuningMethod] { [base, ln] }
    var prefix: PrefixTuningOptions? { base.prefix }
    func makeExtension(for config: GPT2Config) -> (any TrainableExtension)? { base.makeExtension(for: config) }

    func validate(for config: GPT2Config) throws(TuningError) {
        try base.validate(for: config)
        try ln.validate(for: config)
    }

    func trainableTensors(in layout: ParameterLayout) -> [GPT2Tensor] {
        Self.union(base.trainableTensors(in: layout), ln.trainableTensors(in: layout), layout: layout)
    }

    func storedTensors(in layout: ParameterLayout) -> [GPT2Tensor] {
        Self.union(base.storedTensors(in: layout), ln.storedTensors(in: layout), layout: layout)
    }

    func writeAdapter(_ adapter: Adapter, to directory: URL) throws(TuningError) {
        var components: [String: String] = [:]
        for part in [ln, base] as [any TuningMethod] {
            let folder = directory.appendingPathComponent(part.name)
            try AdapterFiles.createFolder(folder)
            try part.writeAdapter(adapter, to: folder)
            components[part.name] = part.name
        }
        try AdapterFiles.writeManifest(adapter, components: components, weights: nil, to: directory)
    }

    func readAdapter(from directory: URL, manifest: LNTuneAdapterManifest, modelConfig: GPT2Config)
        throws(TuningError) -> Adapter
    {
        let manifestPath = directory.appendingPathComponent(LNTuneAdapterManifest.fileName).path
        var combined = Adapter(
            configuration: manifest.method, modelConfig: modelConfig, baseModel: manifest.baseModelNameOrPath)
        for part in parts {
            guard let folder = manifest.components?[part.name], !folder.contains("/"), folder != ".." else {
                throw .invalidAdapter(file: manifestPath, reason: "components.\(part.name) must name a sub-folder")
            }
            let read = try AdapterFiles.read(from: directory.appendingPathComponent(folder), modelConfig: modelConfig)
            guard read.configuration.name == part.name else {
                throw .invalidAdapter(
                    file: manifestPath,
                    reason: "components.\(part.name) holds a \(read.configuration.name) adapter, not \(part.name)")
            }
            combined.tensors.merge(read.tensors) { _, new in new }
            combined.prefix = combined.prefix ?? read.prefix
            combined.prefixEncoder = combined.prefixEncoder ?? read.prefixEncoder
            combined.extensionModule = combined.extensionModule ?? read.extensionModule
        }
        return combined
    }

    func pythonRecipe(base model: String, folder: String) -> String {
        ln.pythonRecipe(base: model, folder: folder + "/" + ln.name) + ".merge_and_unload(); "
            + base.pythonRecipe(base: "m", folder: folder + "/" + base.name)
    }

    func encodeOptions(to container: inout KeyedEncodingContainer<MethodJSONKey>) throws {
        try ln.encodeOptions(to: &container)
        try base.encodeOptions(to: &container)
    }

    func isEqual(to other: any TuningMethod) -> Bool {
        guard let other = other as? LNCombination else { return false }
        return other.ln == ln && other.base.isEqual(to: base)
    }

    private static func union(_ a: [GPT2Tensor], _ b: [GPT2Tensor], layout: ParameterLayout) -> [GPT2Tensor] {
        Set(a + b).sorted { layout.slot($0).offset < layout.slot($1).offset }
    }
}
