import Foundation
import GPT2
import TextIO
import Tokenizers

/// Per-line and corpus perplexity of a text file under a model (with an adapter, if any): `lntune perplexity`.
///
/// Each line is one independent sequence. By default `<|endoftext|>` is put in front of every line and every
/// real token of the line is scored (lm-eval's rolling log-likelihood does the same for a document's first
/// token); with `prependEndOfText` off, a line's first token is context only and not scored. The corpus
/// perplexity is exp(Σ token losses / Σ scored tokens) — token-weighted, not an average of line perplexities.
/// A line longer than the model's context is an error naming it: nothing is truncated silently.
public enum Perplexity {
    public struct Options: Sendable, Equatable {
        /// Lines per forward pass.
        public var batchSize: Int
        public var prependEndOfText: Bool

        public init(batchSize: Int = 8, prependEndOfText: Bool = true) {
            self.batchSize = batchSize
            self.prependEndOfText = prependEndOfText
        }
    }

    /// One line's score.
    public struct Line: Sendable, Equatable, Codable {
        /// 1-based line number in the input.
        public var line: Int
        /// Tokens scored (the line's tokens, or one fewer without the leading `<|endoftext|>`).
        public var tokens: Int
        /// Σ of the scored tokens' negative log-likelihoods, in nats.
        public var loss: Double
        /// exp(loss / tokens), nil for a line with nothing scored.
        public var perplexity: Double?
    }

    public struct Report: Sendable, Equatable, Codable {
        public var lines: [Line]
        public var tokens: Int
        /// Σ over all lines, in nats.
        public var loss: Double
        /// Mean negative log-likelihood per scored token (nats).
        public var meanLoss: Double
        public var perplexity: Double
        public var prependedEndOfText: Bool

        enum CodingKeys: String, CodingKey {
            case lines, tokens, loss
            case meanLoss = "mean_loss"
            case perplexity
            case prependedEndOfText = "prepended_endoftext"
        }
    }

    /// Tokenizes `lines` with the model's tokenizer (special tokens in the text are recognised, as HF tokenizers
    /// do) and scores them.
    public static func evaluate(
        lines: [String], source: String, model: LoadedModel, options: Options = Options(),
        progress: (_ scored: Int, _ total: Int) -> Void = { _, _ in }
    ) throws(LNTuneError) -> Report {
        // Spaces are tokens, so a file of blank-looking lines would score as a "corpus" of whitespace.
        if !lines.isEmpty, lines.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) {
            throw .nothingToScore(
                file: source, reason: "every line is blank (empty or whitespace only); give text, one sequence per line"
            )
        }
        let encoded: [[Int]]
        do {
            encoded = try model.tokenizer.encodeLines(lines, special: .allow, source: source, firstLine: 1)
        } catch {
            throw .tokenizer(error)
        }
        return try score(
            encoded.map { $0.map { Int32($0) } }, source: source, model: model,
            endOfText: options.prependEndOfText ? Int32(model.endOfText) : nil, options: options, progress: progress)
    }

    /// Scores token sequences, one per line; `endOfText` nil means the first token of each line is not scored.
    /// `progress` is called after each batch with the lines scored so far and the lines to score.
    public static func score(
        _ sequences: [[Int32]], source: String, model: LoadedModel, endOfText: Int32?, options: Options = Options(),
        progress: (_ scored: Int, _ total: Int) -> Void = { _, _ in }
    ) throws(LNTuneError) -> Report {
        let limit = model.maxSequenceLength
        let head: [Int32] = endOfText.map { [$0] } ?? []
        let inputs = sequences.map { head + $0 }
        for (i, input) in inputs.enumerated() where input.count > limit {
            let counted =
                (endOfText != nil ? "counting the leading <|endoftext|>; " : "")
                + ((model.prefix?.positionCount ?? 0) > 0
                    ? "the adapter's \(model.prefix?.positionCount ?? 0) prefix slots take the rest; " : "")
            throw .lineTooLong(
                file: source, line: i + 1, tokens: input.count, limit: limit,
                hint: counted + "split the line (LNTune never truncates)")
        }
        var lines = sequences.indices.map { Line(line: $0 + 1, tokens: 0, loss: 0, perplexity: nil) }
        // Longest first, so each batch pads little; lines with nothing to score skip the model.
        let order = inputs.indices.filter { inputs[$0].count >= 2 }.sorted { inputs[$0].count > inputs[$1].count }
        // "perplexity 1.0000" for a file with nothing in it would read as a perfect model.
        guard !order.isEmpty else {
            throw .nothingToScore(
                file: source,
                reason: sequences.isEmpty
                    ? "the input has no lines; give text, one sequence per line"
                    : "no line has a token to score (blank lines"
                        + (endOfText == nil ? ", or one-token lines without the leading <|endoftext|>" : "")
                        + "); give text, one sequence per line")
        }
        let batchSize = max(options.batchSize, 1)
        let longest = inputs[order[0]].count
        try MemoryEstimate([
            (
                "activations",
                MemoryEstimate.activations(
                    model.config, rows: min(batchSize, order.count), length: longest,
                    keys: longest + (model.prefix?.length ?? 0), training: false)
            )
        ]).check(
            "scoring \(NumberText.count(min(batchSize, order.count), "line")) of up to "
                + "\(NumberText.count(longest, "token")) at once", hint: "lower --batch-size")
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let members = Array(order[start..<min(start + batchSize, order.count)])
            let rows = members.map { inputs[$0] }
            let losses: [Double]
            do {
                losses = try sequenceLosses(rows, model: model)
            } catch {
                throw .model(error)
            }
            for (b, index) in members.enumerated() {
                // A NaN loss would print as "nan" (or fail the JSON encoder); it means broken weights.
                guard losses[b].isFinite else { throw .nonFiniteLoss(file: source, line: index + 1) }
                lines[index].tokens = rows[b].count - 1
                lines[index].loss = losses[b]
                lines[index].perplexity = Foundation.exp(losses[b] / Double(rows[b].count - 1))
            }
            progress(min(start + batchSize, order.count), order.count)
        }
        let tokens = lines.reduce(0) { $0 + $1.tokens }
        let loss = lines.reduce(0.0) { $0 + $1.loss }
        let mean = tokens > 0 ? loss / Double(tokens) : 0
        return Report(
            lines: lines, tokens: tokens, loss: loss, meanLoss: mean, perplexity: Foundation.exp(mean),
            prependedEndOfText: endOfText != nil)
    }

    /// Σ token losses of each row (every token after the first is a label), one forward over the batch.
    static func sequenceLosses(_ rows: [[Int32]], model: LoadedModel) throws(GPT2Error) -> [Double] {
        let batch = try TokenBatch(rows: rows, padding: .right)
        var labels = [Int32](repeating: LossOptions.defaultIgnoreIndex, count: batch.tokens.count)
        for (b, row) in rows.enumerated() {
            for t in 1..<row.count { labels[b * batch.length + t] = row[t] }
        }
        return try model.model.loss(
            batch, labels: labels, options: LossOptions(reduction: .sum), prefix: model.prefix
        ).sequenceLosses
    }
}
