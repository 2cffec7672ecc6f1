import Foundation

/// What happens when a sequence is longer than the maximum length. Never silent truncation.
public enum OverflowPolicy: String, Sendable, CaseIterable {
    /// The row is reported: an error, or left out and listed under `OnBadRow.skip`. For table-to-text, where
    /// cutting a table would leave references describing facts the input no longer has.
    case reject
    /// The source loses words from its beginning (the earliest dialogue turns), cut at a whitespace boundary,
    /// until template, remaining source and the whole target fit. For dialogue summarization, where a
    /// dialogue can outgrow the context while its summary must stay whole. Truncated sequences are counted.
    case truncateSourceFromLeft
}

/// One tokenized sequence: prompt tokens followed by target tokens.
public struct EncodedSequence: Sendable, Equatable {
    public let id: String
    public let tokens: [Int32]
    /// Index of the first target token; `tokens[..<targetStart]` is the prompt. Equals `tokens.count` for a
    /// prompt encoded for generation. Always at least 1, because the template's text after `{source}` is
    /// never empty, so every target token has a position before it that predicts it.
    public let targetStart: Int
    /// Characters cut from the start of the source to fit (0 when nothing was cut).
    public let truncatedCharacters: Int

    public init(id: String, tokens: [Int32], targetStart: Int, truncatedCharacters: Int = 0) {
        self.id = id
        self.tokens = tokens
        self.targetStart = targetStart
        self.truncatedCharacters = truncatedCharacters
    }
}

/// The sequences encoded from a list of pairs and the rows left out under `OnBadRow.skip`.
public struct EncodedDataset: Sendable {
    public var sequences: [EncodedSequence]
    public var skipped: [DatasetError]
    /// How many sequences had their source truncated.
    public var truncatedCount: Int { sequences.reduce(0) { $0 + ($1.truncatedCharacters > 0 ? 1 : 0) } }
}

/// Turns examples into token ids through a prompt template, marking exactly where the target starts.
///
/// The prompt and the target part are encoded separately (the template guarantees the split falls on a
/// pre-token boundary, see `PromptTemplate`), and within each part the data text is encoded with special
/// tokens disabled while the template's own `<|endoftext|>` is encoded as the special id.
public struct SequenceEncoder: Sendable {
    public let template: PromptTemplate
    public let encoder: any TokenEncoder
    public let maxLength: Int
    public let overflow: OverflowPolicy
    private let endOfTextID: Int32

    public init(template: PromptTemplate, encoder: any TokenEncoder, maxLength: Int, overflow: OverflowPolicy) throws {
        guard maxLength >= 2 else {
            throw DatasetError.invalidSetting(
                name: "max length", value: String(maxLength),
                hint: "a sequence needs at least a prompt and a target token")
        }
        let ids = try encoder.encode(PromptTemplate.endOfText, allowSpecial: true)
        guard ids.count == 1, let id = Int32(exactly: ids[0]), id >= 0 else {
            throw DatasetError.unknownSpecialToken(token: PromptTemplate.endOfText, ids: ids)
        }
        self.template = template
        self.encoder = encoder
        self.maxLength = maxLength
        self.overflow = overflow
        self.endOfTextID = id
    }

    /// Token ids of rendered segments.
    func encode(_ segments: [PromptTemplate.Segment]) throws -> [Int32] {
        var ids: [Int32] = []
        for segment in segments {
            switch segment {
            case .special:
                ids.append(endOfTextID)
            case .text(let text):
                for id in try encoder.encode(text, allowSpecial: false) {
                    guard let narrow = Int32(exactly: id), narrow >= 0 else {
                        throw DatasetError.invalidSetting(
                            name: "token id", value: String(id), hint: "the tokenizer returned an id outside 0..<2^31")
                    }
                    ids.append(narrow)
                }
            }
        }
        return ids
    }

    /// A training sequence: prompt then target, at most `maxLength` tokens.
    public func encode(_ pair: TrainingPair) throws -> EncodedSequence {
        let target = try encode(template.target(pair.target))
        let (prompt, cut) = try fitPrompt(source: pair.source, budget: maxLength - target.count, id: pair.id)
        return EncodedSequence(
            id: pair.id, tokens: prompt + target, targetStart: prompt.count, truncatedCharacters: cut)
    }

    /// The prompt alone, for generation, in at most `budget` tokens (default `maxLength`; pass
    /// `maxLength - maxNewTokens` to leave room for the output). The same overflow policy applies.
    public func encodePrompt(_ example: Example, budget: Int? = nil) throws -> EncodedSequence {
        let (prompt, cut) = try fitPrompt(source: example.source, budget: budget ?? maxLength, id: example.id)
        return EncodedSequence(id: example.id, tokens: prompt, targetStart: prompt.count, truncatedCharacters: cut)
    }

    /// The prompt for `source` within `budget` tokens, cutting the source from the left if the policy allows.
    /// Returns the tokens and the number of characters cut.
    private func fitPrompt(source: String, budget: Int, id: String) throws -> ([Int32], Int) {
        let full = try encode(template.prompt(source: source))
        if full.count <= budget { return (full, 0) }
        let needed = full.count + (maxLength - budget)
        guard overflow == .truncateSourceFromLeft else {
            throw DatasetError.tooLong(
                example: id, tokens: needed, maxLength: maxLength,
                hint: "this task never truncates its input; raise the maximum length or skip such rows")
        }
        // Candidate starts: every word that follows whitespace, then the empty remainder. Later cuts keep
        // fewer tokens; the binary search keeps the invariant that `cuts[high]` fits, so the result fits
        // even if a tokenizer made the count non-monotonic somewhere.
        var cuts: [String.Index] = []
        var previous: Character?
        for index in source.indices {
            let c = source[index]
            if let p = previous, p.isWhitespace, !c.isWhitespace { cuts.append(index) }
            previous = c
        }
        cuts.append(source.endIndex)
        var best = try encode(template.prompt(source: ""))
        guard best.count <= budget else {
            throw DatasetError.tooLong(
                example: id, tokens: best.count + (maxLength - budget), maxLength: maxLength,
                hint: "the template and target alone do not fit, even with the whole source removed")
        }
        var low = -1  // cutting nothing does not fit
        var high = cuts.count - 1  // cutting everything fits
        while high - low > 1 {
            let mid = (low + high) / 2
            let tokens = try encode(template.prompt(source: String(source[cuts[mid]...])))
            if tokens.count <= budget {
                high = mid
                best = tokens
            } else {
                low = mid
            }
        }
        return (best, source.distance(from: source.startIndex, to: cuts[high]))
    }

    /// Encodes every pair, in parallel, keeping the input order. Row problems (`tooLong`) follow `onBadRow`.
    public func encodeAll(_ pairs: [TrainingPair], onBadRow: OnBadRow = .fail) throws -> EncodedDataset {
        var results = [Result<EncodedSequence, Error>?](repeating: nil, count: pairs.count)
        let chunk = 256
        let chunks = (pairs.count + chunk - 1) / chunk
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                for i in c * chunk..<min(pairs.count, (c + 1) * chunk) {
                    out[i] = Result { try encode(pairs[i]) }
                }
            }
        }
        var log = BadRowLog(onBadRow)
        var sequences: [EncodedSequence] = []
        sequences.reserveCapacity(pairs.count)
        for result in results {
            switch result {
            case .success(let sequence)?: sequences.append(sequence)
            case .failure(let error as DatasetError)?: try log.record(error)
            case .failure(let error)?: throw error
            case nil: break  // unreachable: every index is written above
            }
        }
        return EncodedDataset(sequences: sequences, skipped: log.skipped)
    }
}
