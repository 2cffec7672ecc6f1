import Datasets
import Foundation
import GPT2
import Tuning

/// One data file after loading and encoding, with everything left out and why.
public struct EncodedSplit: Sendable {
    public var file: String
    public var sequences: [EncodedSequence]
    public var examples: Int
    /// The examples the file holds when `--max-dev-examples` kept fewer; nil otherwise.
    public var examplesInFile: Int?
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
        func split(_ path: String, limit: Int?, _ times: inout PhaseTimes) throws -> EncodedSplit {
            var loaded = try times.time(\.loadData) { try task.load(URL(fileURLWithPath: path), onBadRow: policy) }
            let inFile = loaded.examples.count
            if let limit, limit < inFile { loaded.examples.removeSubrange(limit...) }
            try requireReferences(loaded, file: path)
            let pairs = loaded.trainingPairs()
            let encoded: EncodedDataset
            do {
                encoded = try times.time(\.tokenize) { try sequenceEncoder.encodeAll(pairs, onBadRow: policy) }
            } catch let DatasetError.tooLong(example, tokens, maxLength, hint) {
                // The encoder's hint cannot name the options; here they are known.
                let reason = task.overflowPolicy == .reject ? "\(task) inputs are never truncated" : hint
                let options =
                    settings.maxLength == nil
                    ? "that is the model's whole context, so pass --on-bad-row skip to leave such examples out"
                    : "raise --max-length or pass --on-bad-row skip to leave such examples out"
                throw DatasetError.tooLong(
                    example: located(example, in: loaded, file: path), tokens: tokens, maxLength: maxLength,
                    hint: reason + "; " + options + " (they are counted)")
            }
            guard !encoded.sequences.isEmpty else {
                throw LNTuneError.training(
                    .noData(
                        file: path, skipped: loaded.skipped.count + encoded.skipped.count,
                        filtered: loaded.filtered.values.reduce(0, +)))
            }
            return EncodedSplit(
                file: path, sequences: encoded.sequences, examples: loaded.examples.count,
                examplesInFile: inFile > loaded.examples.count ? inFile : nil, pairs: pairs.count,
                skippedRows: loaded.skipped, skippedTooLong: encoded.skipped, truncated: encoded.truncatedCount)
        }
        let train = try split(settings.train, limit: nil, &times)
        let dev = try settings.dev.map { try split($0, limit: settings.maxDevExamples, &times) }
        return TrainingData(train: train, dev: dev, template: template, maxLength: maxLength)
    }

    /// A pair id (`devset-3#2`: example `devset-3`, reference 2) with the file and line of its example.
    static func located(_ pairID: String, in loaded: LoadedDataset, file: String) -> String {
        guard let hash = pairID.lastIndex(of: "#") else { return pairID }
        let exampleID = String(pairID[..<hash])
        guard let line = loaded.examples.first(where: { $0.id == exampleID })?.metadata["line"] else { return pairID }
        return "\(pairID) (\(file):\(line))"
    }

    /// Training needs a target for every input: a file of inputs only (E2E `testset.csv`, WebNLG
    /// `testdata_no_lex.xml`, DialogSum's hidden test) would otherwise train on nothing, or on the few examples
    /// that happen to have references, without a word.
    static func requireReferences(_ loaded: LoadedDataset, file: String) throws {
        let without = loaded.examples.filter(\.references.isEmpty)
        guard let first = without.first else { return }
        throw LNTuneError.training(
            .noReferences(
                file: file, examples: without.count, of: loaded.examples.count,
                first: first.metadata["line"].map { "line \($0)" } ?? first.id))
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
