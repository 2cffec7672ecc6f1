/// Greedy search and multinomial sampling over a batch — transformers' `_sample`.
///
/// Each step runs the processors (and, when sampling, the warpers) on every live row's logits, picks a token with
/// the sampler and appends it. A row that produced EOS is finished: transformers keeps feeding it pad tokens
/// through the model, this loop drops it from the batch instead (rows are independent, so the survivors' logits
/// do not change). Everything stops after `max_new_tokens` steps or when no row is left.
struct SamplingSearch {
    let vocabularySize: Int
    let maxNewTokens: Int
    let eosTokenId: Int?
    let processors: [any LogitsProcessor]
    var sampler: any TokenSampler
    /// One per output row (prompt-major: the copies of prompt 0, then of prompt 1, ...).
    private(set) var histories: [TokenHistory]
    private(set) var scores: [Double]
    private(set) var endedWithEOS: [Bool]
    /// Output rows still generating, in the order of the model's rows.
    private(set) var live: [Int]
    private(set) var steps = 0

    /// `copies` rows per prompt (`num_return_sequences` when sampling).
    init(prompts: [[Int]], copies: Int, parameters: GenerateParameters, vocabularySize: Int) {
        let width = prompts.map(\.count).max() ?? 0
        let pad = parameters.effectivePadTokenId
        self.vocabularySize = vocabularySize
        maxNewTokens = parameters.maxNewTokens
        eosTokenId = parameters.eosTokenId
        processors = parameters.logitsProcessors()
        sampler = parameters.sampler()
        histories = prompts.flatMap { p in
            Array(repeating: TokenHistory(prompt: p, width: width, pad: pad), count: copies)
        }
        scores = Array(repeating: 0, count: histories.count)
        endedWithEOS = Array(repeating: false, count: histories.count)
        live = Array(histories.indices)
    }

    var isDone: Bool { live.isEmpty || steps >= maxNewTokens }

    /// Picks one token for every live row from `logits` (`live.count × vocabularySize`, live-row order).
    /// - Returns: the chosen tokens, in the same order, and the positions (in the previous live list) of the rows
    ///   still generating afterwards.
    /// - Throws: `GenerationError.noTokenLeft` when the processors leave a row nothing to choose.
    mutating func advance(_ logits: [Float]) throws -> (tokens: [Int], survivors: [Int]) {
        let v = vocabularySize
        var tokens: [Int] = []
        var survivors: [Int] = []
        tokens.reserveCapacity(live.count)
        var scratch = [Float](repeating: 0, count: v)
        for (position, row) in live.enumerated() {
            let base = position * v
            let token = scratch.withUnsafeMutableBufferPointer { buffer -> Int? in
                logits.withUnsafeBufferPointer { source in
                    if let from = source.baseAddress, let to = buffer.baseAddress {
                        to.update(from: from + base, count: v)
                    }
                }
                processors.apply(buffer, history: histories[row])
                // Without a choice the arg-max would silently return token 0.
                guard RowMath.hasChoice(UnsafeBufferPointer(buffer)) else { return nil }
                let picked = sampler.sample(UnsafeBufferPointer(buffer))
                scores[row] += RowMath.logProbability(UnsafeBufferPointer(buffer), at: picked)
                return picked
            }
            guard let token else { throw GenerationError.noTokenLeft(row: row, newTokens: steps) }
            histories[row].append(token)
            tokens.append(token)
            if token == eosTokenId {
                endedWithEOS[row] = true
            } else {
                survivors.append(position)
            }
        }
        live = survivors.map { live[$0] }
        steps += 1
        return (tokens, survivors)
    }

    /// The finished sequences, one array per prompt with `copies` entries.
    func results(copies: Int) -> [[GeneratedSequence]] {
        stride(from: 0, to: histories.count, by: copies).map { start in
            (start..<start + copies).map { row in
                var tokens = Array(histories[row].generated)
                if endedWithEOS[row] { tokens.removeLast() }
                return GeneratedSequence(tokens: tokens, endedWithEOS: endedWithEOS[row], score: scores[row])
            }
        }
    }

    /// Runs the whole search on `model`.
    static func run<Model: CausalLanguageModel>(
        _ model: inout Model, prompts: [[Int]], parameters: GenerateParameters
    ) throws -> [[GeneratedSequence]] {
        let copies = parameters.doSample ? parameters.numReturnSequences : 1
        var search = SamplingSearch(
            prompts: prompts, copies: copies, parameters: parameters,
            vocabularySize: model.vocabularySize)
        var logits = try model.checkedPrefill(prompts, maxNewTokens: parameters.maxNewTokens)
        if copies > 1 {
            let rows = prompts.indices.flatMap { Array(repeating: $0, count: copies) }
            try model.reorderCache(rows)
            logits = replicateRows(logits, rows: rows, width: model.vocabularySize)
        }
        while true {
            let before = search.live.count
            let (tokens, survivors) = try search.advance(logits)
            if search.isDone { break }
            try model.reorderIfNeeded(survivors, currentRows: before)
            logits = try model.checkedStep(survivors.map { tokens[$0] })
        }
        return search.results(copies: copies)
    }

    static func replicateRows(_ logits: [Float], rows: [Int], width: Int) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(rows.count * width)
        for r in rows { out.append(contentsOf: logits[(r * width)..<((r + 1) * width)]) }
        return out
    }
}
