import Datasets
import Foundation
import GPT2
import Tuning

/// One data file after loading and encoding, with everything left out and why.
public struct EncodedSplit: Sendable {
    public var file: String
    public var sequences: [EncodedSequence]
    public var examples: Int
    public var pairs: Int
    /// Rows the loader skipped under `--on-bad-row skip` (each names file and line).
    public var skippedRows: [DatasetError]
    /// Sequences left out because they do not fit `--max-length` (task policy `reject`, `--on-bad-row skip`).
    public var skippedTooLong: [DatasetError]
    /// Sequences whose source lost its first words to fit (dialogue tasks).
    public var truncated: Int

    public var targetTokens: Int { sequences.reduce(0) { $0 + $1.tokens.count - $1.targetStart } }
    public var tokens: Int { sequences.reduce(0) { $0 + $1.tokens.count } }
}

/// The run's data: train (and dev) encoded through the template, ready for the batcher.
public struct TrainingData: Sendable {
    public var train: EncodedSplit
    public var dev: EncodedSplit?
    public var template: PromptTemplate
    public var maxLength: Int

    /// Loads and encodes the files the settings name. Row problems follow `--on-bad-row`; a split with no
    /// usable sequence left is an error.
    public static func load(
        settings: TrainingSettings, encoder: any TokenEncoder, maxLength: Int, times: inout PhaseTimes
    ) throws -> TrainingData {
        let task = try settings.trainingTask
        let template =
            try settings.promptTemplate.map { try PromptTemplate(contentsOf: URL(fileURLWithPath: $0)) }
            ?? task.defaultTemplate()
        let sequenceEncoder = try SequenceEncoder(
            template: template, encoder: encoder, maxLength: maxLength, overflow: task.overflowPolicy)
        let policy = try settings.badRowPolicy
        func split(_ path: String, _ times: inout PhaseTimes) throws -> EncodedSplit {
            let loaded = try times.time(\.loadData) { try task.load(URL(fileURLWithPath: path), onBadRow: policy) }
            let pairs = loaded.trainingPairs()
            let encoded = try times.time(\.tokenize) { try sequenceEncoder.encodeAll(pairs, onBadRow: policy) }
            guard !encoded.sequences.isEmpty else {
                throw LNTuneError.training(.noData(file: path, skipped: loaded.skipped.count + encoded.skipped.count))
            }
            return EncodedSplit(
                file: path, sequences: encoded.sequences, examples: loaded.examples.count, pairs: pairs.count,
                skippedRows: loaded.skipped, skippedTooLong: encoded.skipped, truncated: encoded.truncatedCount)
        }
        let train = try split(settings.train, &times)
        let dev = try settings.dev.map { try split($0, &times) }
        return TrainingData(train: train, dev: dev, template: template, maxLength: maxLength)
    }

    /// SHA-256 of every input file the run reads besides the model: the data files (each file of a folder,
    /// by relative path) and a custom prompt template.
    public static func hashes(settings: TrainingSettings) throws -> [String: String] {
        var out: [String: String] = [:]
        for path in [settings.train, settings.dev, settings.promptTemplate].compactMap({ $0 }) {
            let url = URL(fileURLWithPath: path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw LNTuneError.io(path: path, reason: "no such file")
            }
            guard isDirectory.boolValue else {
                out[path] = try SHA256.hex(fileAt: url)
                continue
            }
            let files = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? []).sorted()
            for relative in files {
                let file = url.appendingPathComponent(relative)
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: file.path, isDirectory: &isFolder), !isFolder.boolValue {
                    out[(path as NSString).appendingPathComponent(relative)] = try SHA256.hex(fileAt: file)
                }
            }
        }
        return out
    }
}

extension TrainingBatch {
    /// A padded batch from the data pipeline in the form the tuner trains on: labels are the tokens where the
    /// loss mask marks a target and `ignoreIndex` elsewhere (the prompt and the padding).
    public init(_ batch: Batch, ignoreIndex: Int32 = LossOptions.defaultIgnoreIndex) throws(GPT2Error) {
        var labels = batch.tokens
        for i in labels.indices where batch.lossMask[i] == 0 { labels[i] = ignoreIndex }
        let tokens = try TokenBatch(
            tokens: batch.tokens, mask: batch.attentionMask.map { $0 == 0 ? 0 : 1 }, batchSize: batch.batchSize,
            length: batch.length)
        self.init(tokens: tokens, labels: labels)
    }
}
