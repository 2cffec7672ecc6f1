import Foundation
import Testing
import Tuning

/// Every method's configuration survives JSON (what adapter configs and checkpoints store), with sets written
/// sorted so the same options always give the same bytes; unknown names are decoding errors.
@Test(arguments: TuningMethods.names)
func configurationsRoundTripThroughJSON(_ name: String) throws {
    var configuration = try TuningMethods.defaults(named: name)
    if name == "prefix+ln" {
        configuration = .prefixLN(
            prefix: .init(virtualTokens: 7, projection: .direct),
            ln: LNTuningOptions(terms: [.bias], modules: [.final, .attn], layers: 2...5))
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = try encoder.encode(configuration)
    #expect(try JSONDecoder().decode(TuningConfiguration.self, from: data) == configuration)
    #expect(TuningConfiguration(configuration.method) == configuration)
    #expect(configuration.name == name && configuration.method.name == name)
    // Same options, other insertion order → same bytes.
    #expect(try encoder.encode(configuration) == data)
}

@Test func configurationJSONIsReadable() throws {
    let json =
        #"{"method":"prefix+ln","prefix":{"virtual_tokens":5,"projection":"mlp","hidden":64},"#
        + #""ln":{"terms":["bias","gain"],"modules":["final","attn"],"layers":[0,3]}}"#
    let decoded = try JSONDecoder().decode(TuningConfiguration.self, from: Data(json.utf8))
    #expect(
        decoded
            == .prefixLN(
                prefix: .init(virtualTokens: 5, projection: .mlp(hidden: 64)),
                ln: LNTuningOptions(modules: [.attn, .final], layers: 0...3)))
    for bad in [
        #"{"method":"ia3"}"#, #"{"method":"prefix","prefix":{"virtual_tokens":5,"projection":"conv"}}"#,
        #"{"method":"ln","ln":{"terms":["gain"],"modules":["attn"],"layers":[3,1]}}"#,
    ] {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TuningConfiguration.self, from: Data(bad.utf8)) }
    }
}
