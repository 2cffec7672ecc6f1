import Foundation

/// Matches the tensors of safetensors files to the parameter layout and copies them in.
///
/// The whole plan (every name known, no duplicates, every shape and dtype right, nothing missing) is checked
/// before the parameter buffer is allocated and before the first byte of tensor data is touched, so a bad
/// checkpoint (or a config.json from another model) fails fast and names its first problem.
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

    fileprivate struct Job {
        let file: SafeTensorsFile
        let name: String
        let tensor: GPT2Tensor
    }

    /// Which file and name fills each slot, checked against the layout before any memory is committed.
    struct Plan {
        let layout: ParameterLayout
        fileprivate let jobs: [Job]
        fileprivate let lmHead: (file: SafeTensorsFile, name: String)?

        /// Bytes the load allocates: the flat parameter buffer, plus one converted copy of a stored LM head for
        /// the tie check. The mapped files are not counted: their pages are the page cache's and can be dropped.
        /// Nil when the figure does not fit in an `Int`.
        var allocationBytes: Int? {
            let head = lmHead == nil ? 0 : CheckedSize.product(layout.config.vocabSize, layout.config.nEmbd, 4)
            return CheckedSize.sum(CheckedSize.product(layout.totalCount, 4), head)
        }

        /// Converts every tensor into `parameters` (laid out as `layout`), refusing NaN and infinities, then
        /// checks a stored LM head against `wte`.
        func read(into parameters: GPT2Parameters) throws(GPT2Error) {
            for job in jobs { try job.file.readFiniteFloat32(job.name, into: parameters[job.tensor]) }
            if let lmHead {
                try CheckpointTensors.checkTied(lmHead.file, lmHead.name, wte: parameters[.tokenEmbedding])
            }
        }
    }

    /// Matches every tensor of `files` to a slot of `layout`: each name known, none twice, each shape and
    /// dtype what the config implies, every slot covered. Reads headers only.
    static func plan(_ files: [SafeTensorsFile], layout: ParameterLayout) throws(GPT2Error) -> Plan {
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
        return Plan(layout: layout, jobs: jobs, lmHead: lmHead)
    }

    /// LNTune computes logits with `wte`; an explicit LM head is accepted only when it is the same matrix
    /// (bit for bit after conversion), as in checkpoints that saved the tied tensor twice.
    fileprivate static func checkTied(_ file: SafeTensorsFile, _ name: String, wte: UnsafeMutableBufferPointer<Float>)
        throws(GPT2Error)
    {
        let head = try file.readFloat32(name)
        let differs = head.withUnsafeBufferPointer { h in
            h.indices.first { h[$0].bitPattern != wte[$0].bitPattern }
        }
        if let index = differs { throw .untiedLMHead(file: file.url.path, index: index) }
    }
}
