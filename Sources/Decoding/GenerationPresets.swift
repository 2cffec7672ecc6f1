/// Named decoding settings that reproduce published setups (token ids are GPT-2's byte-level BPE vocabulary).
public struct GenerationPreset: Sendable, Equatable {
    public let name: String
    /// One line for `--help`.
    public let summary: String
    /// Where the settings come from.
    public let source: String
    public let parameters: GenerateParameters
}

extension GenerationPreset {
    /// GPT-2's `<|endoftext|>`, `"\n"` and `"\n\n"` token ids.
    public static let gpt2EndOfText = 50256
    public static let gpt2Newline = 198
    public static let gpt2DoubleNewline = 628

    /// Every preset, in the order `--help` lists them.
    public static let all: [GenerationPreset] = [greedy, liLangTable2Text, liLangSummarization]

    /// Plain greedy decoding with transformers' defaults, stopping at `<|endoftext|>`.
    public static let greedy: GenerationPreset = {
        var p = GenerateParameters()
        p.maxNewTokens = 100
        p.eosTokenId = gpt2EndOfText
        return GenerationPreset(
            name: "greedy", summary: "greedy, up to 100 new tokens, stop at <|endoftext|>",
            source: "transformers GenerationConfig defaults", parameters: p)
    }()

    /// Li & Liang (2021) table-to-text decoding (E2E, WebNLG, DART).
    ///
    /// Paper §5: "for the three table-to-text datasets, we use beam search with a beam size of 5". Their
    /// `run_generation.py` (XiangLi1999/PrefixTuning, beam mode) calls `generate` with `num_beams=5`,
    /// `min_length=5` (prompt included), `max_length = 100 + prompt length` (`--length 100` from `gen.py`),
    /// `bad_words_ids=[[628], [198]]` ("\n\n" and "\n"), `num_return_sequences=1`, repetition penalty 1.0 and the
    /// defaults `length_penalty=1.0`, `early_stopping=False`, then cuts the decoded text at `<|endoftext|>`.
    /// Their transformers 3.x divided beam scores by the length *including the prompt*; transformers 5 (and this
    /// module) divide by the generated length only, so rankings can differ from the paper's runs.
    public static let liLangTable2Text: GenerationPreset = {
        var p = GenerateParameters()
        p.numBeams = 5
        p.maxNewTokens = 100
        p.minLength = 5
        p.badWordsIds = [[gpt2DoubleNewline], [gpt2Newline]]
        p.eosTokenId = gpt2EndOfText
        return GenerationPreset(
            name: "lilang-table2text",
            summary: "Li & Liang table-to-text: beam 5, min_length 5, max 100 new, ban \\n and \\n\\n",
            source: "Li & Liang 2021 §5; XiangLi1999/PrefixTuning gpt2/run_generation.py + gen.py", parameters: p)
    }()

    /// Li & Liang (2021) summarization decoding: "a beam size of 6 and length normalization of 0.8" (paper §5);
    /// at most 100 new tokens (their XSUM `test_max_target_length`); other settings are transformers' defaults.
    public static let liLangSummarization: GenerationPreset = {
        var p = GenerateParameters()
        p.numBeams = 6
        p.lengthPenalty = 0.8
        p.maxNewTokens = 100
        p.eosTokenId = gpt2EndOfText
        return GenerationPreset(
            name: "lilang-summarization", summary: "Li & Liang summarization: beam 6, length penalty 0.8, max 100 new",
            source: "Li & Liang 2021 §5; XiangLi1999/PrefixTuning gpt2/train_e2e.py (xsum lengths)", parameters: p)
    }()

    /// The preset called `name`.
    public static func named(_ name: String) throws -> GenerationPreset {
        guard let preset = all.first(where: { $0.name == name }) else {
            throw GenerationError.unknownPreset(name: name, available: all.map(\.name))
        }
        return preset
    }

    /// "name — summary" lines for a `--help` text.
    public static var helpText: String {
        all.map { "\($0.name) — \($0.summary)" }.joined(separator: "\n")
    }
}
