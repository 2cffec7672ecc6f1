import Foundation

/// libFuzzer target for safetensors files (header and data): any bytes either parse or fail with a `GPT2Error`.
///
/// What parses is then used as the loader uses it, so that a check the header validation misses shows up as an
/// AddressSanitizer report rather than passing silently: every F32/F16/BF16 tensor is converted with the
/// finite check, and the file is matched against a tiny GPT-2 layout and, when it matches, loaded into a
/// parameter buffer.
@_cdecl("LLVMFuzzerTestOneInput")
public func safetensorsFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let image = Data(bytes: data, count: size)
    do {
        let file = try SafeTensorsFile(data: image, url: URL(fileURLWithPath: "fuzz/model.safetensors"))
        for name in file.tensorNames {
            guard let info = file.info(name), info.dtype.convertsToFloat32 else { continue }
            var values = [Float](repeating: 0, count: info.elementCount)
            let read = values.withUnsafeMutableBufferPointer { buffer in
                Result { () throws(GPT2Error) in try file.readFiniteFloat32(name, into: buffer) }
            }
            if case let .failure(error) = read { _ = error.description }
        }
        let plan = try CheckpointTensors.plan([file], layout: ParameterLayout(config: fuzzConfig))
        try MemoryBudget.check(plan: plan, limit: nil, directory: "fuzz")
        let parameters = try GPT2Parameters(uninitializedFor: plan.layout, source: "fuzz")
        try plan.read(into: parameters)
    } catch {
        _ = error.description
    }
    return 0
}

/// The config `run.sh`'s seed checkpoint is written for: small enough that a complete checkpoint is a 2.6 KB
/// input, with every kind of tensor GPT-2 has.
let fuzzConfig = GPT2Config(vocabSize: 8, nPositions: 4, nEmbd: 4, nLayer: 1, nHead: 2, bosTokenId: 7, eosTokenId: 7)
