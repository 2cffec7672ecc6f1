import Foundation

/// Matches the tensors of safetensors files to the parameter layout and copies them in.
///
/// The whole plan (every name known, no duplicates, every shape and dtype right, nothing missing) is checked
/// before the first byte of tensor data is touched, so a bad checkpoint fails fast and names its first problem.
enum CheckpointTensors {
    /// What a name found in a checkpoint means to LNTune.
    enum Role {
        case parameter(TensorSlot)
        /// `lm_head.weight`: tied to `wte` in GPT-2; accepted only if equal to it.
        case lmHead
        /// Non-parameter buffers old conversions carry (`h.N.attn.bias` causal mask, `h.N.attn.masked_bias`).
        case ignoredBuffer
        case unknown
    }

    /// Names are as transformers writes them for `GPT2LMHeadModel` (`transformer.h.0.ln_1.weight`) or for
    /// `GPT2Model` and the hub's original `gpt2` upload (`h.0.ln_1.weight`).
    static func role(of name: String, slots: [String: TensorSlot], layers: Int) -> Role {
        if name == "lm_head.weight" { return .lmHead }
        let bare = name.hasPrefix("transformer.") ? String(name.dropFirst("transformer.".count)) : name
        if let slot = slots[bare] { return .parameter(slot) }
        for suffix in [".attn.bias", ".attn.masked_bias"] where bare.hasPrefix("h.") && bare.hasSuffix(suffix) {
            let layer = bare.dropFirst(2).dropLast(suffix.count)
            if let i = Int(layer), (0..<layers).contains(i), String(i) == layer { return .ignoredBuffer }
        }
        return .unknown
    }

    private struct Job {
        let file: SafeTensorsFile
        let name: String
        let tensor: GPT2Tensor
    }

    static func read(_ files: [SafeTensorsFile], into parameters: GPT2Parameters) throws(GPT2Error) {
        let layout = parameters.layout
        let config = layout.config
        let slots = Dictionary(layout.slots.map { ($0.tensor.huggingFaceName, $0) }, uniquingKeysWith: { a, _ in a })
        var jobs: [Job] = []
        var foundIn: [GPT2Tensor: String] = [:]
        var lmHead: (file: SafeTensorsFile, name: String)?

        for file in files {
            let path = file.url.path
            for name in file.tensorNames {
                guard let info = file.info(name) else { continue }
                func expect(_ shape: [Int]) throws(GPT2Error) {
                    guard info.shape == shape else {
                        throw .shapeMismatch(file: path, tensor: name, expected: shape, found: info.shape)
                    }
                    guard info.dtype.convertsToFloat32 else {
                        throw .unsupportedDType(file: path, tensor: name, dtype: info.dtype.rawValue)
                    }
                }
                switch role(of: name, slots: slots, layers: config.nLayer) {
                case .ignoredBuffer:
                    continue
                case .unknown:
                    throw .unexpectedTensor(file: path, tensor: name)
                case .lmHead:
                    guard lmHead == nil else { throw .duplicateTensor(file: path, tensor: name) }
                    try expect([config.vocabSize, config.nEmbd])
                    lmHead = (file, name)
                case let .parameter(slot):
                    guard foundIn[slot.tensor] == nil else { throw .duplicateTensor(file: path, tensor: name) }
                    try expect(slot.shape)
                    foundIn[slot.tensor] = path
                    jobs.append(Job(file: file, name: name, tensor: slot.tensor))
                }
            }
        }
        for slot in layout.slots where foundIn[slot.tensor] == nil {
            let location =
                files.count == 1 ? files[0].url.path : files.map(\.url.lastPathComponent).joined(separator: ", ")
            throw .missingTensor(file: location, tensor: "transformer." + slot.tensor.huggingFaceName)
        }

        for job in jobs { try job.file.readFloat32(job.name, into: parameters[job.tensor]) }
        if let lmHead { try checkTied(lmHead.file, lmHead.name, wte: parameters[.tokenEmbedding]) }
    }

    /// LNTune computes logits with `wte`; an explicit LM head is accepted only when it is the same matrix
    /// (bit for bit after conversion), as in checkpoints that saved the tied tensor twice.
    private static func checkTied(_ file: SafeTensorsFile, _ name: String, wte: UnsafeMutableBufferPointer<Float>)
        throws(GPT2Error)
    {
        let head = try file.readFloat32(name)
        let differs = head.withUnsafeBufferPointer { h in
            h.indices.first { h[$0].bitPattern != wte[$0].bitPattern }
        }
        if let index = differs { throw .untiedLMHead(file: file.url.path, index: index) }
    }
}
