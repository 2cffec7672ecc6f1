import Foundation
import Testing

import GPT2

/// The tiny-gpt2 config as raw JSON texts, in file order, so that a case can put any text (4.5, 1e400,
/// a 20-digit integer) where a value goes — things no Swift value encodes to.
private let tinyConfig: [(key: String, json: String)] = [
    ("model_type", "\"gpt2\""), ("activation_function", "\"gelu_new\""), ("vocab_size", "307"),
    ("n_positions", "48"), ("n_embd", "32"), ("n_layer", "2"), ("n_head", "4"), ("n_inner", "null"),
    ("layer_norm_epsilon", "1e-05"), ("bos_token_id", "306"), ("eos_token_id", "306"),
    ("tie_word_embeddings", "true"),
]

/// `tinyConfig` with `overrides` (key → JSON text) replacing or adding values.
func configJSON(_ overrides: [String: String]) -> Data {
    var pairs = tinyConfig.map { ($0.key, overrides[$0.key] ?? $0.json) }
    for (key, json) in overrides.sorted(by: { $0.key < $1.key }) where !tinyConfig.contains(where: { $0.key == key }) {
        pairs.append((key, json))
    }
    return Data(("{" + pairs.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}").utf8)
}

struct BadConfig: Sendable, CustomTestStringConvertible {
    let key: String
    let json: String
    /// `invalidConfig` (the value does not decode) or `invalidConfigValue` (it decodes but is out of range).
    let kind: String
    /// Words the message must hold besides the key: what is wrong.
    var mentions: [String] = []
    var testDescription: String { "\(key): \(json)" }
}

private let large = "9223372036854775807"  // Int.max

private let badConfigs: [BadConfig] = [
    // Numbers that are not integers, or no Int can hold: a message about the key, not "not valid JSON".
    BadConfig(key: "n_layer", json: "4.5", kind: "invalidConfig", mentions: ["whole number", "4.5"]),
    BadConfig(key: "n_head", json: "-0.25", kind: "invalidConfig", mentions: ["whole number"]),
    BadConfig(key: "n_embd", json: "1e30", kind: "invalidConfig", mentions: ["out of range"]),
    BadConfig(key: "vocab_size", json: "99999999999999999999", kind: "invalidConfig", mentions: ["out of range"]),
    BadConfig(key: "n_positions", json: "1e400", kind: "invalidConfig", mentions: ["range"]),
    BadConfig(key: "layer_norm_epsilon", json: "1e39", kind: "invalidConfig", mentions: ["32-bit float"]),
    BadConfig(key: "layer_norm_epsilon", json: "1e-50", kind: "invalidConfig", mentions: ["32-bit float"]),
    BadConfig(key: "n_embd", json: "\"32\"", kind: "invalidConfig"),
    BadConfig(key: "n_layer", json: "true", kind: "invalidConfig"),
    // Zero, negative, huge, overflowing: each names its bound.
    BadConfig(key: "n_layer", json: "0", kind: "invalidConfigValue", mentions: ["between 1 and 1024"]),
    BadConfig(key: "n_layer", json: "-3", kind: "invalidConfigValue", mentions: ["-3"]),
    BadConfig(key: "n_layer", json: large, kind: "invalidConfigValue", mentions: [large]),
    BadConfig(key: "n_layer", json: "100000", kind: "invalidConfigValue"),
    BadConfig(key: "n_embd", json: large, kind: "invalidConfigValue"),
    BadConfig(key: "n_embd", json: "4611686018427387904", kind: "invalidConfigValue"),  // 4·n_embd overflows
    BadConfig(key: "n_embd", json: "-32", kind: "invalidConfigValue"),
    BadConfig(key: "vocab_size", json: large, kind: "invalidConfigValue"),
    BadConfig(key: "vocab_size", json: "0", kind: "invalidConfigValue"),
    BadConfig(key: "n_positions", json: "-1", kind: "invalidConfigValue"),
    BadConfig(key: "n_positions", json: "3037000500", kind: "invalidConfigValue"),  // beyond Limits.nPositions
    BadConfig(key: "n_inner", json: "0", kind: "invalidConfigValue"),
    BadConfig(key: "n_inner", json: large, kind: "invalidConfigValue"),
    BadConfig(key: "n_head", json: "0", kind: "invalidConfigValue"),
    BadConfig(key: "n_head", json: "-4", kind: "invalidConfigValue"),
    BadConfig(key: "n_head", json: "5", kind: "invalidConfigValue", mentions: ["divisible"]),
    BadConfig(key: "n_head", json: "64", kind: "invalidConfigValue", mentions: ["between 1 and 32"]),
    BadConfig(key: "layer_norm_epsilon", json: "0", kind: "invalidConfigValue"),
    BadConfig(key: "layer_norm_epsilon", json: "-1e-05", kind: "invalidConfigValue"),
]

/// Every bad value is a typed error naming the file, the key and what is wrong — never a trap (an arithmetic
/// overflow in a derived size, a division by zero) and never a bare "not valid JSON".
@Test(arguments: badConfigs)
func badConfigValuesAreTypedErrors(_ bad: BadConfig) {
    do {
        let config = try GPT2Config.decode(configJSON([bad.key: bad.json]), source: "model/config.json")
        Issue.record("accepted: \(config)")
    } catch {
        #expect(error.kind == bad.kind, "\(error)")
        for word in ["model/config.json", bad.key] + bad.mentions {
            #expect(error.description.contains(word), "'\(word)' not in: \(error)")
        }
        #expect(!error.description.contains("not valid JSON"), "\(error)")
    }
}

/// The base of the table is itself valid, so each case fails for its one change; the bounds are inclusive, and
/// bos/eos ids outside the vocabulary load as in transformers (whose default 50256 ignores `vocab_size`).
@Test func boundaryConfigsAreAccepted() throws {
    _ = try GPT2Config.decode(configJSON([:]), source: "config.json")
    for overrides in [
        ["n_layer": "1024"], ["n_head": "32"], ["n_head": "1"], ["eos_token_id": "50256"], ["n_inner": "7"],
        ["n_layer": "4.0"], ["layer_norm_epsilon": "2"], ["n_embd": "65536", "n_head": "16"],
    ] {
        #expect(throws: Never.self, "\(overrides)") { try GPT2Config.decode(configJSON(overrides), source: "c") }
    }
}

/// Broken JSON is still `invalidConfig` with the file named.
@Test func configThatIsNotJSONIsAnError() {
    for text in ["", "{", "[1, 2]", "{\"n_layer\": }", "nul"] {
        #expect(throws: GPT2Error.self, "\(text)") { try GPT2Config.decode(Data(text.utf8), source: "c.json") }
    }
}

/// The overflow-checked count agrees with the layout the model allocates, for the published sizes and odd ones.
@Test func parameterCountMatchesTheLayout() throws {
    var custom = GPT2Config(vocabSize: 307, nPositions: 48, nEmbd: 32, nLayer: 3, nHead: 4, nInner: 7)
    #expect(custom.parameterCount == ParameterLayout(config: custom).totalCount)
    for config in [GPT2Config.small, .medium, .large, .xl] {
        #expect(config.parameterCount == ParameterLayout(config: config).totalCount)
    }
    custom.nEmbd = .max
    #expect(custom.parameterCount == nil)
}
