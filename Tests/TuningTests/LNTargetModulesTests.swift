import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

private func withTargets(_ targets: Any?, in folder: TemporaryFolder, fixture: String = "from-peft/ln") throws -> URL {
    let copy = try folder.copy(fixture: "adapters/" + fixture)
    let config = copy.appendingPathComponent("adapter_config.json")
    var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as? [String: Any])
    json["target_modules"] = targets
    try JSONSerialization.data(withJSONObject: json).write(to: config)
    return copy
}

/// The reason of the `.invalidAdapter` that reading `folder` for `config` throws, or nil.
private func refusal(_ folder: URL, _ config: GPT2Config = Tiny.config) -> String? {
    let error = thrownError { () throws(TuningError) in try AdapterFiles.read(from: folder, modelConfig: config) }
    if case let .invalidAdapter(_, reason)? = error { return reason }
    return nil
}

/// A PEFT LN_TUNING adapter (no LNTune record) of a 2-block model applied to a 3-block model: every tensor
/// fits, but `target_modules` (`ln_1`, `ln_2`, `ln_f`: every block) selects block 2, which the file lacks. It
/// used to be applied, leaving block 2 untuned without a word.
@Test func aPEFTAdapterOfAShallowerModelIsRefused() throws {
    var deeper = Tiny.config
    deeper.nLayer = 3
    let reason = try #require(refusal(Fixtures.url("adapters/from-peft/ln"), deeper))
    #expect(reason.contains("fewer blocks") && reason.contains("h.2.ln_1") && reason.contains("h.0–h.1"), "\(reason)")
    // The same adapter on its own model size reads.
    #expect(refusal(Fixtures.url("adapters/from-peft/ln")) == nil)
}

/// `target_modules` must agree with the weights and the model: naming a block the model lacks, leaving out a
/// module the weights hold, or a pattern that does not compile is refused; a list or a regular expression
/// (PEFT's full match) that selects exactly what the file holds is accepted.
@Test func targetModulesMustAgreeWithTheWeightsAndTheModel() throws {
    let folder = try TemporaryFolder()
    let deeper = try #require(refusal(try withTargets(["h.0.ln_1", "h.5.ln_1"], in: folder)))
    #expect(deeper.contains("h.5.ln_1") && deeper.contains("deeper model"), "\(deeper)")
    let partial = try #require(refusal(try withTargets(["ln_1", "ln_f"], in: folder)))
    #expect(partial.contains("ln_2") && partial.contains("does not select"), "\(partial)")
    #expect(refusal(try withTargets("(", in: folder))?.contains("regular expression") == true)
    #expect(refusal(try withTargets(#"transformer\.(h\.\d+\.ln_[12]|ln_f)"#, in: folder)) == nil)
    #expect(refusal(try withTargets(#"h\.\d+\.ln_[12]"#, in: folder)) != nil)  // fullmatch: no module matches
    // PEFT's own partial adapter names exactly what it holds.
    #expect(refusal(Fixtures.url("adapters/from-peft/ln-partial")) == nil)
    #expect(refusal(try withTargets(["h.1.ln_2"], in: folder, fixture: "from-peft/ln-partial")) != nil)
}
