import Datasets
import Foundation
import GPT2

/// `run.json`: everything needed to reproduce a run — every setting as given, what they resolved to (model
/// folder, learning rate, maximum length, step counts), the LNTune version, the SHA-256 of every data file,
/// the model config — and, once the run stops, its result. Written when a run starts and rewritten when it
/// ends or is interrupted.
public struct RunRecord: Codable, Sendable {
    public struct Resolved: Codable, Sendable, Equatable {
        public var modelFolder: String
        public var tokenizerFolder: String
        public var learningRate: Double
        public var maxLength: Int
        public var batchesPerEpoch: Int
        public var stepsPerEpoch: Int
        public var totalSteps: Int
        public var trainableParameters: Int
        public var allParameters: Int

        enum CodingKeys: String, CodingKey {
            case modelFolder = "model_folder"
            case tokenizerFolder = "tokenizer_folder"
            case learningRate = "learning_rate"
            case maxLength = "max_length"
            case batchesPerEpoch = "batches_per_epoch"
            case stepsPerEpoch = "steps_per_epoch"
            case totalSteps = "total_steps"
            case trainableParameters = "trainable_parameters"
            case allParameters = "all_parameters"
        }
    }

    public var lntuneVersion: String
    /// The command line that started the run (argv), when the CLI started it.
    public var command: [String]?
    public var settings: TrainingSettings
    public var resolved: Resolved
    public var modelConfig: GPT2Config
    /// Path (as given; files of a folder by relative path) → SHA-256 hex.
    public var dataSHA256: [String: String]
    public var train: SplitCounts
    public var dev: SplitCounts?
    public var platform: String
    public var startedAt: String
    public var result: TrainingSummary?

    enum CodingKeys: String, CodingKey {
        case lntuneVersion = "lntune_version"
        case command, settings, resolved
        case modelConfig = "model_config"
        case dataSHA256 = "data_sha256"
        case train, dev, platform
        case startedAt = "started_at"
        case result
    }

    /// Differences that make resuming in this folder wrong: other settings or other data.
    func differences(from recorded: RunRecord) -> [String] {
        var out: [String] = []
        let mine = Self.fields(settings), theirs = Self.fields(recorded.settings)
        // Where the scalars also go changes no result: a run may resume with another --report-to.
        for key in Set(mine.keys).union(theirs.keys).sorted() where mine[key] != theirs[key] && key != "reportTo" {
            out.append("\(key): \(theirs[key] ?? "unset") in run.json, \(mine[key] ?? "unset") now")
        }
        for path in Set(dataSHA256.keys).union(recorded.dataSHA256.keys).sorted()
        where dataSHA256[path] != recorded.dataSHA256[path] {
            out.append("\(path) has changed (SHA-256 differs)")
        }
        if modelConfig != recorded.modelConfig { out.append("the model config differs") }
        return out
    }

    /// The settings as flat key → JSON text, for naming what differs.
    private static func fields(_ settings: TrainingSettings) -> [String: String] {
        guard let data = try? Self.encoder.encode(settings),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        var out: [String: String] = [:]
        for (key, value) in object {
            let text = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
            out[key] = text.map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
        }
        return out
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }()

    public static func read(from url: URL) throws -> RunRecord {
        do {
            return try decoder.decode(RunRecord.self, from: Data(contentsOf: url))
        } catch {
            throw LNTuneError.io(path: url.path, reason: "not a readable run record (\(error))")
        }
    }

    func write(to url: URL) throws {
        let data: Data
        do {
            data = try Self.encoder.encode(self) + Data("\n".utf8)
        } catch {
            throw LNTuneError.io(path: url.path, reason: "cannot encode the run record (\(error))")
        }
        try RunFolder.store(data, at: url)
    }

    static var platformDescription: String {
        let info = ProcessInfo.processInfo
        return "\(info.operatingSystemVersionString), \(info.activeProcessorCount) cores"
    }

    static func timestamp() -> String { ISO8601DateFormatter().string(from: Date()) }
}
