import Foundation

extension GPT2Config {
    /// Reads and validates a Hugging Face `config.json`. A missing file, broken JSON or a value of the wrong
    /// type is `invalidConfig` naming the file and key; a value out of range is `invalidConfigValue` and a
    /// well-formed but unsupported setting `unsupportedConfig` (both from `validate`).
    public static func load(contentsOf url: URL) throws(GPT2Error) -> GPT2Config {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw .invalidConfig(
                file: url.path, reason: "no such file (a model folder holds config.json and model.safetensors)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .invalidConfig(file: url.path, reason: error.localizedDescription)
        }
        return try decode(data, source: url.path)
    }

    /// Decodes and validates the bytes of a `config.json`; `source` names them in errors.
    public static func decode(_ data: Data, source: String) throws(GPT2Error) -> GPT2Config {
        let config: GPT2Config
        do {
            config = try JSONDecoder().decode(GPT2Config.self, from: data)
        } catch {
            throw .invalidConfig(file: source, reason: GPT2Error.decodingReason(error))
        }
        try config.validate(source: source)
        return config
    }

    /// The config as transformers writes it for `GPT2LMHeadModel`, so that `from_pretrained` builds the same
    /// model (keys sorted for stable diffs).
    public func huggingFaceJSON() throws(GPT2Error) -> Data {
        do {
            let encoded = try JSONEncoder().encode(self)
            guard var object = try JSONSerialization.jsonObject(with: encoded) as? [String: Any] else {
                throw GPT2Error.writeFailed(file: "config.json", reason: "the config did not encode to a JSON object")
            }
            object["architectures"] = ["GPT2LMHeadModel"]
            object["n_ctx"] = nPositions
            var data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            data.append(UInt8(ascii: "\n"))
            return data
        } catch let error as GPT2Error {
            throw error
        } catch {
            throw .writeFailed(file: "config.json", reason: "\(error)")
        }
    }
}
