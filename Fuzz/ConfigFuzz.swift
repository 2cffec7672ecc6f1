import Foundation

/// libFuzzer target for `config.json`: any bytes either decode to a config that passes `validate` or fail with a
/// `GPT2Error` — never a trap, an arithmetic overflow or an allocation the size of a garbled number.
///
/// A config that is accepted must also lay out (the offsets `ParameterLayout` computes with plain arithmetic
/// are exactly what `validate`'s limits make safe), agree with the overflow-checked `parameterCount`, and
/// survive the write-then-read round trip. A broken invariant is a crash on purpose: that is how libFuzzer
/// reports it.
@_cdecl("LLVMFuzzerTestOneInput")
public func configFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    do {
        let config = try GPT2Config.decode(bytes, source: "fuzz/config.json")
        let layout = ParameterLayout(config: config)
        precondition(config.parameterCount == layout.totalCount, "parameterCount disagrees with the layout")
        let again = try GPT2Config.decode(try config.huggingFaceJSON(), source: "fuzz/written.json")
        precondition(again == config, "config.json does not round-trip")
    } catch {
        // Formatting the message is part of the path a user sees.
        _ = error.description
    }
    return 0
}
