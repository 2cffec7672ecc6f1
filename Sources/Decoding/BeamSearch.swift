/// Beam search over a batch of prompts — transformers 5's `_beam_search` (`num_beams`, `length_penalty`,
/// `early_stopping`, `num_return_sequences`, the processors on log-probabilities).
///
/// The prompts are prefilled once (transformers feeds `num_beams` identical copies); the first `reorderCache`
/// fans each prompt's row out to its beams. Per step and prompt the bookkeeping costs `num_beams` log-softmaxes
/// and one partial selection of `2 * num_beams` entries out of `num_beams × vocabulary` — linear in the logits
/// the model just produced. Prompts whose result can no longer change are dropped from the model batch.
enum BeamSearch {
    static func run<Model: CausalLanguageModel>(
        _ model: inout Model, prompts: [[Int]], parameters p: GenerateParameters
    ) throws -> [[GeneratedSequence]] {
        let v = model.vocabularySize
        let beams = p.numBeams
        let width = prompts.map(\.count).max() ?? 0
        let maxLength = width + p.maxNewTokens
        let processors = p.logitsProcessors()
        var inputs = prompts.enumerated().map { b, prompt in
            BeamInput(prompt: prompt, width: width, pad: p.effectivePadTokenId, beams: beams, modelRow: b)
        }
        var scratch = [Float](repeating: 0, count: beams * v)
        var logits = try model.checkedPrefill(prompts, maxNewTokens: p.maxNewTokens)
        var modelRows = prompts.count
        var active = Array(inputs.indices)
        var length = width

        while true {
            var allHit = true
            for b in active {
                let candidates = logits.withUnsafeBufferPointer { logitsBuffer in
                    scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                        inputs[b].candidates(
                            logits: logitsBuffer, vocabularySize: v, processors: processors,
                            scratch: scratchBuffer)
                    }
                }
                // Every continuation removed (or overflowed): the selection would pick -inf garbage.
                guard let best = candidates.first?.score, best > -.infinity, best < .infinity else {
                    throw GenerationError.noTokenLeft(row: b, newTokens: length - width)
                }
                let hit = inputs[b].advance(
                    candidates, length: length, width: width, maxLength: maxLength,
                    eosTokenId: p.eosTokenId, lengthPenalty: p.lengthPenalty,
                    earlyStopping: p.earlyStopping)
                allHit = allHit && hit
            }
            length += 1
            for b in active {
                inputs[b].updateImprovable(
                    length: length, width: width, maxLength: maxLength,
                    lengthPenalty: p.lengthPenalty, earlyStopping: p.earlyStopping)
            }
            active.removeAll { inputs[$0].isFrozen(p.earlyStopping) }
            if allHit || active.isEmpty || length >= maxLength { break }

            // Next batch: every running beam of every active prompt, continuing its source row.
            var rows: [Int] = []
            var tokens: [Int] = []
            rows.reserveCapacity(active.count * beams)
            for b in active {
                for j in 0..<beams {
                    rows.append(inputs[b].running[j].modelRow)
                    inputs[b].running[j].modelRow = rows.count - 1
                    tokens.append(inputs[b].running[j].history.tokens.last ?? 0)
                }
            }
            try model.reorderIfNeeded(rows, currentRows: modelRows)
            logits = try model.checkedStep(tokens)
            modelRows = rows.count
        }
        return inputs.map { $0.results(count: p.numReturnSequences, eosTokenId: p.eosTokenId) }
    }
}
