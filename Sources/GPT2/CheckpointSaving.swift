import Foundation

extension GPT2Checkpoint {
    /// Writes `config.json` and `model.safetensors` (F32, `transformer.` names, no `lm_head.weight` since it is
    /// tied) in the layout transformers' `GPT2LMHeadModel.save_pretrained` produces, so `from_pretrained`
    /// loads the folder as is. Each file is replaced atomically.
    public func save(to directory: URL) throws(GPT2Error) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(file: directory.path, reason: error.localizedDescription)
        }
        try AtomicFile.store(config.huggingFaceJSON(), at: directory.appendingPathComponent("config.json"))
        let tensors = parameters.layout.slots.map { slot in
            (
                name: "transformer." + slot.tensor.huggingFaceName, shape: slot.shape,
                data: UnsafeBufferPointer(parameters[slot.tensor])
            )
        }
        try SafeTensorsWriter.write(
            tensors: tensors, metadata: ["format": "pt"], to: directory.appendingPathComponent("model.safetensors"))
    }
}
