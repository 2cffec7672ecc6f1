import Foundation

/// The beam-search state of one prompt: `num_beams` running beams and `num_beams` finished-hypothesis slots,
/// updated with exactly the float32 arithmetic of transformers 5's vectorised `_beam_search` helpers
/// (`_get_top_k_continuations`, `_get_running_beams_for_next_iteration`, `_update_finished_beams`,
/// `_check_early_stop_heuristic`), including its -1e9 sentinels — they decide which entries can win a slot.
struct BeamInput {
    struct Beam {
        var history: TokenHistory
        var score: Float
        /// Model row holding this beam's cache (for the next `step`).
        var modelRow: Int
    }

    /// A finished-hypothesis slot; unused slots hold the -1e9 placeholder with `isFinished == false`.
    struct Slot {
        var score: Float
        var isFinished: Bool
        /// Generated tokens, the final one (EOS or the max-length token) included.
        var tokens: [Int]
    }

    /// A continuation: `score` is the running beam score plus the processed log-probability of `token`.
    struct Candidate {
        var beam: Int
        var token: Int
        var score: Float
    }

    static let sentinel: Float = -1.0e9

    var running: [Beam]
    var slots: [Slot]
    /// transformers' `is_early_stop_heuristic_unsatisfied` (sticky once false).
    var improvable = true

    init(prompt: [Int], width: Int, pad: Int, beams: Int, modelRow: Int) {
        let history = TokenHistory(prompt: prompt, width: width, pad: pad)
        // Only beam 0 starts "alive": the copies score -1e9 so the first step does not pick the same token K times.
        running = (0..<beams).map { Beam(history: history, score: $0 == 0 ? 0 : Self.sentinel, modelRow: modelRow) }
        slots = Array(repeating: Slot(score: Self.sentinel, isFinished: false, tokens: []), count: beams)
    }

    var allFinished: Bool { slots.allSatisfy(\.isFinished) }

    /// No later step can change the slots: the heuristic ruled out improvement, or (`early_stopping=true`) all
    /// slots are full. transformers keeps such inputs in the batch with every new score pushed to -1e9; dropping
    /// them is equivalent and saves their model rows.
    func isFrozen(_ earlyStopping: EarlyStopping) -> Bool {
        !improvable || (earlyStopping == .immediate && allFinished)
    }

    /// The `keep` continuations over all beams (transformers' `beams_to_keep`, (1 + EOS ids) × num_beams, at
    /// least 2 × num_beams): log-softmax each beam's logits, run the processors on the log-probabilities, add the
    /// beam's running score, then select the best, best first — never a full sort — or, with `sampler` (beam
    /// sampling), draw them without replacement from the softmax of those scores, in the order drawn.
    /// - Throws: `GenerationError.tooFewTokensToSample` when fewer than `keep` continuations have a probability.
    func candidates(
        logits: UnsafeBufferPointer<Float>, vocabularySize v: Int, processors: [any LogitsProcessor],
        scratch: UnsafeMutableBufferPointer<Float>, keep: Int, sampler: inout Xoshiro256StarStar?, input: Int
    ) throws -> [Candidate] {
        let k = running.count
        for (j, beam) in running.enumerated() {
            let row = UnsafeMutableBufferPointer(rebasing: scratch[(j * v)..<((j + 1) * v)])
            if let source = logits.baseAddress, let target = row.baseAddress {
                target.update(from: source + beam.modelRow * v, count: v)
            }
            RowMath.logSoftmax(row)
            processors.apply(row, history: beam.history)
            RowMath.add(row, beam.score)
        }
        let flat = UnsafeBufferPointer(rebasing: scratch[0..<(k * v)])
        let chosen: [(index: Int, value: Float)]
        if var generator = sampler {
            chosen = try Self.sampleWithoutReplacement(flat, count: keep, generator: &generator, row: input)
            sampler = generator
        } else {
            chosen = RowMath.largest(flat, count: keep)
        }
        return chosen.map { Candidate(beam: $0.index / v, token: $0.index % v, score: $0.value) }
    }

    /// transformers' `torch.multinomial(softmax(scores), keep)` without replacement: each draw picks an entry with
    /// probability proportional to exp(score) among those not drawn yet (this module's generator, not torch's).
    static func sampleWithoutReplacement(
        _ scores: UnsafeBufferPointer<Float>, count: Int, generator: inout Xoshiro256StarStar, row: Int
    ) throws -> [(index: Int, value: Float)] {
        let m = Double(scores.max() ?? -.infinity)
        var weights = scores.map { m > -.infinity ? exp(Double($0) - m) : 0 }
        let available = weights.lazy.filter { $0 > 0 }.count
        guard available >= count else {
            throw GenerationError.tooFewTokensToSample(row: row, needed: count, available: available)
        }
        var total = weights.reduce(0, +)
        var picked: [(index: Int, value: Float)] = []
        for _ in 0..<count {
            let target = generator.nextDouble() * total
            var cumulative = 0.0
            var choice = weights.lastIndex { $0 > 0 } ?? 0  // rounding can leave the target past the last weight
            for (i, w) in weights.enumerated() where w > 0 {
                cumulative += w
                if target < cumulative {
                    choice = i
                    break
                }
            }
            picked.append((choice, scores[choice]))
            total -= weights[choice]
            weights[choice] = 0
        }
        return picked
    }

    /// One step: the next running beams and the finished slots, from this step's candidates.
    /// - Parameters:
    ///   - length: tokens in the padded rows before this step (transformers' `cur_len`).
    ///   - width: padded prompt width; `maxLength` = width + max_new_tokens.
    /// - Returns: whether every candidate hit a stopping criterion.
    mutating func advance(
        _ candidates: [Candidate], length: Int, width: Int, maxLength: Int, eosTokenIds: [Int],
        lengthPenalty: Double, earlyStopping: EarlyStopping
    ) -> Bool {
        let beams = running.count
        let hits = candidates.map { eosTokenIds.contains($0.token) || length + 1 >= maxLength }

        // Running beams: finished continuations are pushed down by -1e9, the best `num_beams` continue (sampled
        // candidates come in the order drawn; this sort is what transformers' top-k over them does).
        let runningScores = candidates.indices.map { candidates[$0].score + (hits[$0] ? Self.sentinel : 0) }
        let next = Self.best(runningScores, count: beams).map { c -> Beam in
            var history = running[candidates[c].beam].history
            history.append(candidates[c].token)
            return Beam(history: history, score: runningScores[c], modelRow: running[candidates[c].beam].modelRow)
        }

        // Finished slots: only the first `num_beams` candidates may finish; the length penalty divides by the
        // generated length (EOS included) ** length_penalty, `len ** lp` in double then a float32 division.
        let scale = Float(pow(Double(length + 1 - width), lengthPenalty))
        let full = allFinished && earlyStopping == .immediate
        var merged = slots
        for (c, candidate) in candidates.enumerated() {
            var score = candidate.score / scale
            if full { score += Self.sentinel }
            if !improvable { score += Self.sentinel }
            let finishes = hits[c] && c < beams
            if !finishes { score += Self.sentinel }
            let tokens = finishes ? Array(running[candidate.beam].history.generated) + [candidate.token] : []
            merged.append(Slot(score: score, isFinished: finishes, tokens: tokens))
        }
        slots = Self.best(merged.map(\.score), count: beams).map { merged[$0] }
        running = next
        return !hits.contains(false)
    }

    /// transformers' `_check_early_stop_heuristic`, after the step (`length` is the new `cur_len`).
    mutating func updateImprovable(
        length: Int, width: Int, maxLength: Int, lengthPenalty: Double,
        earlyStopping: EarlyStopping
    ) {
        let hypothetical = earlyStopping == .never && lengthPenalty > 0 ? maxLength - width : length - width
        let bestPossible = running[0].score / Float(pow(Double(hypothetical), lengthPenalty))
        let worst = slots.map(\.score).min() ?? Self.sentinel
        improvable = improvable && slots.contains { bestPossible > ($0.isFinished ? worst : Self.sentinel) }
    }

    /// The returned hypotheses, best first.
    func results(count: Int, eosTokenIds: [Int]) -> [GeneratedSequence] {
        slots.prefix(count).map { slot in
            let ended = slot.isFinished && slot.tokens.last.map(eosTokenIds.contains) == true
            return GeneratedSequence(
                tokens: ended ? Array(slot.tokens.dropLast()) : slot.tokens,
                endedWithEOS: ended, score: Double(slot.score))
        }
    }

    /// Indices of the `count` largest scores, largest first, ties to the lower index (the arrays are at most
    /// 3 × num_beams long, so a stable sort is cheapest).
    private static func best(_ scores: [Float], count: Int) -> [Int] {
        Array(scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }.prefix(count))
    }
}
