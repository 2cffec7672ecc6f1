/// One returned sequence: the new tokens and how they scored.
public struct GeneratedSequence: Sendable, Equatable, Codable {
    /// Generated token ids, EOS excluded (the text is cut at `<|endoftext|>`).
    public var tokens: [Int]
    /// True when generation stopped because the EOS token was produced (false: `max_new_tokens` was reached).
    public var endedWithEOS: Bool
    /// Beam search: transformers' `sequences_scores` (sum of processed log-probabilities, EOS included, divided
    /// by generated_length ** length_penalty). Greedy and sampling: the sum of log-softmax of the processed scores
    /// at each chosen token, EOS included (transformers' `compute_transition_scores(normalize_logits=True)`).
    public var score: Double

    public init(tokens: [Int], endedWithEOS: Bool, score: Double) {
        self.tokens = tokens
        self.endedWithEOS = endedWithEOS
        self.score = score
    }

    enum CodingKeys: String, CodingKey {
        case tokens
        case endedWithEOS = "ended_with_eos"
        case score
    }
}
