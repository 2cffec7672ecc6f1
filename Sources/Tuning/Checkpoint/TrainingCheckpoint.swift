import Foundation
import GPT2

/// A resumable snapshot of a training run in ONE safetensors file: the trainable values (base tensors and the
/// prefix encoder, MLP included), the optimizer moments, and — as JSON in `__metadata__` — the step (the
/// schedule's position), the random state, the method and options, and a caller-supplied JSON blob (the
/// trainer's data cursor). Frozen values are not stored: they come from the base model, whose frozen part is
/// fingerprinted so a resume on a different base model is refused.
///
/// The file is written by `SafeTensorsWriter`: a temporary file in the same folder, fsync, rename over the
/// final name, fsync of the folder — a crash leaves either the previous checkpoint or the new one, never a
/// torn file. Loading restores every value bit for bit, so save → load → continue equals an uninterrupted run.
/// A checksum over everything stored is verified on load (`CheckpointChecksum.swift`), and a state holding NaN
/// or infinity is never written.
///
/// Tensor names: `values/<segment>`, and `exp_avg/<segment>`, `exp_avg_sq/<segment>` (AdamW) or
/// `momentum_buffer/<segment>` (SGD with momentum), where `<segment>` is an HF name
/// (`transformer.h.0.ln_1.weight`) or a prefix-encoder name (`prompt_encoder.transform.0.weight`).
public struct TrainingCheckpoint: Sendable {
    public static let stateKey = "lntune_training_state"
    public static let trainerKey = "trainer_state"
    public static let formatVersion = 1

    /// The JSON state in `__metadata__`.
    public struct State: Codable, Equatable, Sendable {
        public struct Segment: Codable, Equatable, Sendable {
            public var name: String
            public var shape: [Int]
        }
        public var formatVersion: Int
        public var configuration: TuningConfiguration
        public var options: TunerOptions
        public var completedSteps: Int
        /// `TuningRandom.state` in hex (JSON numbers cannot carry 64 bits exactly).
        public var randomState: String
        public var model: GPT2Config
        public var segments: [Segment]
        /// FNV-1a over the frozen values' bit patterns, in hex.
        public var frozenFingerprint: String

        enum CodingKeys: String, CodingKey {
            case formatVersion = "format_version"
            case configuration, options
            case completedSteps = "completed_steps"
            case randomState = "random_state"
            case model, segments
            case frozenFingerprint = "frozen_fingerprint"
        }
    }

    public let url: URL
    public let state: State
    /// The caller's JSON blob, as given to `Tuner.saveCheckpoint(to:trainerState:)`.
    public let trainerState: Data?
    let file: SafeTensorsFile

    /// Opens and validates a checkpoint (the tensors are read by `Tuner.restore(from:)`).
    public static func read(from url: URL) throws(TuningError) -> TrainingCheckpoint {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw .missingFile(path: url.path, hint: "no training checkpoint there")
        }
        let file = try TuningError.wrapping { () throws(GPT2Error) in try SafeTensorsFile.open(url) }
        guard let json = file.metadata[stateKey] else {
            throw .invalidCheckpoint(
                file: url.path,
                reason: "no '\(stateKey)' in the safetensors metadata: not an LNTune training checkpoint")
        }
        let state: State
        do {
            state = try JSONDecoder().decode(State.self, from: Data(json.utf8))
        } catch let error as DecodingError {
            throw .invalidCheckpoint(file: url.path, reason: "state: " + AdapterJSON.describe(error))
        } catch {
            throw .invalidCheckpoint(file: url.path, reason: "state: \(error)")
        }
        guard state.formatVersion <= formatVersion else {
            throw .invalidCheckpoint(
                file: url.path,
                reason: "format_version \(state.formatVersion) is newer than this LNTune's \(formatVersion)")
        }
        return TrainingCheckpoint(
            url: url, state: state, trainerState: file.metadata[trainerKey].map { Data($0.utf8) }, file: file)
    }
}

extension Tuner {
    /// Writes the run's resumable state to `url` (atomically; see `TrainingCheckpoint`). `trainerState` is any
    /// JSON the caller wants back on resume (data cursor, best score so far, …).
    public func saveCheckpoint(to url: URL, trainerState: Data? = nil) throws(TuningError) {
        if let trainerState,
            (try? JSONSerialization.jsonObject(with: trainerState, options: [.fragmentsAllowed])) == nil
        {
            throw .invalidCheckpoint(file: url.path, reason: "the trainer state to store is not valid JSON")
        }
        let state = TrainingCheckpoint.State(
            formatVersion: TrainingCheckpoint.formatVersion, configuration: configuration, options: options,
            completedSteps: completedSteps, randomState: String(random.state, radix: 16), model: model.config,
            segments: segments.map { .init(name: $0.name, shape: $0.shape) },
            frozenFingerprint: String(frozenFingerprint(), radix: 16))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let stateJSON: String
        do {
            stateJSON = String(decoding: try encoder.encode(state), as: UTF8.self)
        } catch {
            throw .invalidCheckpoint(file: url.path, reason: "cannot encode the state: \(error)")
        }
        var metadata = [TrainingCheckpoint.stateKey: stateJSON]
        let trainerJSON = trainerState.map { String(decoding: $0, as: UTF8.self) }
        if let trainerJSON { metadata[TrainingCheckpoint.trainerKey] = trainerJSON }
        var tensors: [(name: String, shape: [Int], data: UnsafeBufferPointer<Float>)] = []
        for s in segments {
            tensors.append((name: "values/" + s.name, shape: s.shape, data: UnsafeBufferPointer(s.valueBuffer)))
        }
        for (name, buffer) in optimizer.moments {
            for s in segments {
                tensors.append(
                    (
                        name: name + "/" + s.name, shape: s.shape,
                        data: UnsafeBufferPointer(start: buffer.base + s.stateOffset, count: s.count)
                    ))
            }
        }
        // A diverged state must never replace the last good checkpoint.
        for tensor in tensors {
            if let bad = FiniteScan.firstNonFinite(tensor.data) {
                throw .nonFiniteTensor(
                    file: url.path, tensor: tensor.name, index: bad.index, value: bad.value,
                    hint: "refusing to write a checkpoint that is not finite (the training diverged); the previous"
                        + " checkpoint, if any, is kept")
            }
        }
        metadata[TrainingCheckpoint.checksumKey] = TrainingCheckpoint.checksum(
            state: stateJSON, trainer: trainerJSON, names: tensors.map(\.name)
        ) { i, hash in hash.mix(tensors[i].data) }
        try TuningError.wrapping { () throws(GPT2Error) in
            try SafeTensorsWriter.write(tensors: tensors, metadata: metadata, to: url)
        }
    }

    /// A tuner rebuilt from a checkpoint's recorded method and options, with its state restored.
    public convenience init(model: GPT2Model, resumingFrom checkpoint: TrainingCheckpoint) throws(TuningError) {
        try self.init(model: model, method: checkpoint.state.configuration.method, options: checkpoint.state.options)
        try restore(from: checkpoint)
    }

    /// Restores trainable values, optimizer moments, step and random state from `checkpoint`, which must come
    /// from a run of the same method and optimizer on the same base model.
    public func restore(from checkpoint: TrainingCheckpoint) throws(TuningError) {
        let state = checkpoint.state, path = checkpoint.url.path
        func refuse(_ reason: String) -> TuningError { .invalidCheckpoint(file: path, reason: reason) }
        guard Adapter.sameShape(state.model, model.config) else {
            throw refuse("saved for a model of shape \(Adapter.shape(state.model)), not \(Adapter.shape(model.config))")
        }
        guard state.configuration == configuration else {
            throw refuse("saved by a '\(state.configuration)' run; this run is '\(configuration)'")
        }
        guard state.segments == segments.map({ .init(name: $0.name, shape: $0.shape) }) else {
            throw refuse("its trainable tensors differ from this run's")
        }
        guard state.options.optimizer.algorithm == options.optimizer.algorithm,
            (state.options.optimizer.momentum != 0) == (options.optimizer.momentum != 0)
        else {
            throw refuse(
                "saved with optimizer \(state.options.optimizer.algorithm.rawValue); this run uses \(options.optimizer.algorithm.rawValue)"
            )
        }
        guard let randomState = UInt64(state.randomState, radix: 16),
            let fingerprint = UInt64(state.frozenFingerprint, radix: 16)
        else {
            throw refuse("random_state or frozen_fingerprint is not a hex number")
        }
        guard fingerprint == frozenFingerprint() else {
            throw refuse("the frozen weights differ from those of the base model it was trained on (another --model?)")
        }
        // Read (and verify) everything before changing anything, so a bad file leaves the tuner as it was.
        var values: [(target: UnsafeMutablePointer<Float>, name: String, values: [Float])] = []
        for s in segments {
            let name = "values/" + s.name
            values.append((s.values, name, try AdapterFiles.read(name, from: checkpoint.file, expected: s.shape)))
            for (moment, buffer) in optimizer.moments {
                let name = moment + "/" + s.name
                values.append(
                    (
                        buffer.base + s.stateOffset, name,
                        try AdapterFiles.read(name, from: checkpoint.file, expected: s.shape)
                    ))
            }
        }
        try checkpoint.verify(values.map { ($0.name, $0.values) })
        for (target, _, source) in values { target.update(from: source, count: source.count) }
        completedSteps = state.completedSteps
        random = TuningRandom(state: randomState)
    }

    /// FNV-1a (64-bit) over the bit patterns of every value this run does not train.
    func frozenFingerprint() -> UInt64 {
        var hash = FNV1a64()
        var next = 0
        let base = model.parameters.base
        func mix(_ range: Range<Int>) {
            hash.mix(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
        }
        for r in selection.ranges {
            mix(next..<r.lowerBound)
            next = r.upperBound
        }
        mix(next..<model.parameters.count)
        return hash.value
    }
}
