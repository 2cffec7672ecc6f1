import Decoding
import Foundation
import TextIO

/// A model folder's `generation_config.json`: the decoding defaults transformers' `generate` takes from it.
/// `lntune generate` applies them over LNTune's defaults (the `greedy` preset) and under every flag.
///
/// Keys LNTune implements are applied; keys that only steer how transformers runs (caching, outputs, compilation,
/// assisted decoding, metadata) are ignored; any other transformers key must be unset (null), since LNTune cannot
/// do what it asks; a key transformers does not know either is refused. Errors name the file and the key.
public struct GenerationConfigFile: Sendable, Equatable {
    public let path: String
    /// The settings the file sets (transformers' keys, sorted), null values left out.
    public let keys: [String]
    /// The file's values over transformers' defaults (`GenerateParameters()`); only `keys` are meant.
    public let parameters: GenerateParameters
    /// transformers' `max_length` (prompt included), which LNTune cannot turn into new tokens before the prompt.
    public let maxLength: Int?

    public static let fileName = "generation_config.json"

    /// Keys that change what is generated, and that `apply` sets.
    static let applied: Set<String> = [
        "max_new_tokens", "min_length", "min_new_tokens", "early_stopping", "do_sample", "num_beams", "temperature",
        "top_k", "top_p", "typical_p", "epsilon_cutoff", "eta_cutoff", "repetition_penalty", "length_penalty",
        "no_repeat_ngram_size", "bad_words_ids", "forced_bos_token_id", "forced_eos_token_id", "sequence_bias",
        "num_return_sequences", "pad_token_id", "eos_token_id",
    ]
    /// transformers keys that do not change the tokens of a decoder-only model's output.
    static let ignored: Set<String> = [
        "transformers_version", "_from_model_config", "_commit_hash", "use_cache", "cache_implementation",
        "cache_config", "max_cache_len", "output_attentions", "output_hidden_states", "output_scores",
        "output_logits", "return_dict_in_generate", "bos_token_id", "decoder_start_token_id", "compile_config",
        "disable_compile", "low_memory", "prefill_chunk_size", "is_assistant", "num_assistant_tokens",
        "num_assistant_tokens_schedule", "assistant_confidence_threshold", "prompt_lookup_num_tokens",
        "max_matching_ngram_size", "assistant_early_exit", "assistant_lookbehind", "target_lookbehind",
        "assistant_ensemble_weight", "speculation_type", "continuous_batching_config", "use_mtp",
        "encoder_repetition_penalty", "encoder_no_repeat_ngram_size", "remove_invalid_values", "renormalize_logits",
    ]
    /// transformers 5.23 keys LNTune does not implement: accepted only when null.
    static let unsupported: Set<String> = [
        "max_time", "stop_strings", "min_p", "top_h", "exponential_decay_length_penalty", "suppress_tokens",
        "begin_suppress_tokens", "token_healing", "guidance_scale", "watermarking_config", "penalty_alpha",
        "dola_layers", "diversity_penalty", "num_beam_groups", "constraints", "force_words_ids",
    ]

    /// The file in `folder`, or nil when there is none.
    public static func read(folder: URL) throws(LNTuneError) -> GenerationConfigFile? {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try read(url)
    }

    public static func read(_ url: URL) throws(LNTuneError) -> GenerationConfigFile {
        let path = url.path
        func bad(_ key: String, _ reason: String) -> LNTuneError {
            .generation(.badGenerationConfig(path: path, key: key, reason: reason))
        }
        let root: JSONValue
        let file: TextFile
        do {
            file = try TextFile(url: url)
            root = try JSONValue.parse(file)
        } catch {
            throw bad("", "\(error)")
        }
        guard case .object(let members) = root.kind else { throw bad("", "must hold a JSON object") }
        var keys: [String] = []
        var maxLength: Int?
        for key in members.keys.sorted() {
            guard let value = members[key] else { continue }
            let isNull = if case .null = value.kind { true } else { false }
            if Self.applied.contains(key) {
                if !isNull {
                    try Self.checkScalar(key, value.kind, bad)
                    keys.append(key)
                }
            } else if key == "max_length" {
                if !isNull {
                    guard case .number(let text) = value.kind, let n = Int(text), n >= 1 else {
                        throw bad(key, "must be a positive integer")
                    }
                    maxLength = n
                }
            } else if Self.unsupported.contains(key) {
                guard isNull else {
                    throw bad(key, "LNTune does not implement it; remove the key (or set it to null)")
                }
            } else if !Self.ignored.contains(key) {
                throw bad(key, "not a transformers 5 generation setting")
            }
        }
        // The values themselves: JSONDecoder is strict about types (no number for a boolean, no 1.5 for an int).
        let parameters: GenerateParameters
        do {
            parameters = try JSONDecoder().decode(GenerateParameters.self, from: Data(file.bytes))
        } catch let DecodingError.typeMismatch(type, context) {
            throw bad(Self.key(context), "must be \(Self.typeName(type))")
        } catch let DecodingError.dataCorrupted(context) {
            throw bad(Self.key(context), context.debugDescription)
        } catch {
            throw bad("", "\(error)")
        }
        return GenerationConfigFile(path: path, keys: keys, parameters: parameters, maxLength: maxLength)
    }

    static let integerKeys: Set<String> = [
        "max_new_tokens", "min_length", "min_new_tokens", "num_beams", "top_k", "no_repeat_ngram_size",
        "num_return_sequences", "pad_token_id", "forced_bos_token_id",
    ]
    static let numberKeys: Set<String> = [
        "temperature", "top_p", "typical_p", "epsilon_cutoff", "eta_cutoff", "repetition_penalty", "length_penalty",
    ]

    /// Scalars are checked on the parsed value: Foundation's decoder reports a fraction for an integer without
    /// naming the key.
    private static func checkScalar(
        _ key: String, _ kind: JSONValue.Kind, _ bad: (String, String) -> LNTuneError
    ) throws(LNTuneError) {
        switch kind {
        case .number(let text):
            if integerKeys.contains(key) && Int(text) == nil { throw bad(key, "must be an integer, not \(text)") }
            if key == "do_sample" { throw bad(key, "must be true or false") }
        case .bool:
            if integerKeys.contains(key) || numberKeys.contains(key) { throw bad(key, "must be a number") }
        default:
            if integerKeys.contains(key) || numberKeys.contains(key) { throw bad(key, "must be a number") }
            if key == "do_sample" { throw bad(key, "must be true or false") }
        }
    }

    private static func key(_ context: DecodingError.Context) -> String {
        context.codingPath.first?.stringValue ?? ""
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Bool.Type: return "true or false"
        case is Int.Type: return "an integer"
        case is Double.Type: return "a number"
        default: return "of the type transformers uses (\(type))"
        }
    }

    /// `parameters` with the file's settings (only those) written over `base`.
    public func apply(to base: inout GenerateParameters) {
        let f = parameters
        for key in keys {
            switch key {
            case "max_new_tokens": base.maxNewTokens = f.maxNewTokens
            case "min_length": base.minLength = f.minLength
            case "min_new_tokens": base.minNewTokens = f.minNewTokens
            case "early_stopping": base.earlyStopping = f.earlyStopping
            case "do_sample": base.doSample = f.doSample
            case "num_beams": base.numBeams = f.numBeams
            case "temperature": base.temperature = f.temperature
            case "top_k": base.topK = f.topK
            case "top_p": base.topP = f.topP
            case "typical_p": base.typicalP = f.typicalP
            case "epsilon_cutoff": base.epsilonCutoff = f.epsilonCutoff
            case "eta_cutoff": base.etaCutoff = f.etaCutoff
            case "repetition_penalty": base.repetitionPenalty = f.repetitionPenalty
            case "length_penalty": base.lengthPenalty = f.lengthPenalty
            case "no_repeat_ngram_size": base.noRepeatNgramSize = f.noRepeatNgramSize
            case "bad_words_ids": base.badWordsIds = f.badWordsIds
            case "forced_bos_token_id": base.forcedBosTokenId = f.forcedBosTokenId
            case "forced_eos_token_id": base.forcedEosTokenIds = f.forcedEosTokenIds
            case "sequence_bias": base.sequenceBias = f.sequenceBias
            case "num_return_sequences": base.numReturnSequences = f.numReturnSequences
            case "pad_token_id": base.padTokenId = f.padTokenId
            case "eos_token_id": base.eosTokenIds = f.eosTokenIds
            default: break
            }
        }
    }
}
