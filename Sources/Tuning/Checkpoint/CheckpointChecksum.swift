import Foundation

/// The checksum a training checkpoint carries (`lntune_checksum` in `__metadata__`): FNV-1a over the state
/// JSON, the trainer's JSON and every stored tensor, in name order. `--resume` recomputes it from what it read,
/// so a bit flipped on disk — which the safetensors structure does not reveal — is refused instead of silently
/// continuing a different run. Checkpoints written before the checksum existed have none; they are still read.
extension TrainingCheckpoint {
    public static let checksumKey = "lntune_checksum"
    static let checksumAlgorithm = "fnv1a64"

    /// `fnv1a64:<hex>` over `state`, `trainer` and the tensors named `names` (taken in name order, so the
    /// order they are gathered in does not matter); `mixTensor(i, &hash)` mixes in the values of tensor `i`.
    static func checksum(
        state: String, trainer: String?, names: [String], mixTensor: (Int, inout FNV1a64) -> Void
    ) -> String {
        var hash = FNV1a64()
        hash.mix(state)
        hash.mix(trainer ?? "")
        for i in names.indices.sorted(by: { names[$0] < names[$1] }) {
            hash.mix(names[i])
            mixTensor(i, &hash)
        }
        return checksumAlgorithm + ":" + hash.hex
    }

    /// The checksum stored in the file, nil for a checkpoint from before checksums.
    public var storedChecksum: String? { file.metadata[Self.checksumKey] }

    /// Compares the stored checksum (if any) with one computed from `tensors` as read.
    func verify(_ tensors: [(name: String, values: [Float])]) throws(TuningError) {
        guard let stored = storedChecksum else { return }
        guard stored.hasPrefix(Self.checksumAlgorithm + ":") else {
            throw .invalidCheckpoint(
                file: url.path, reason: "checksum '\(stored)' uses an algorithm this LNTune does not know")
        }
        let computed = Self.checksum(
            state: file.metadata[Self.stateKey] ?? "", trainer: file.metadata[Self.trainerKey],
            names: tensors.map(\.name)
        ) { i, hash in tensors[i].values.withUnsafeBufferPointer { hash.mix($0) } }
        guard computed == stored else {
            throw .invalidCheckpoint(
                file: url.path,
                reason: "its contents do not match the checksum written with it (\(stored), now \(computed)): the file"
                    + " was damaged after it was written. Resume from a copy of the run folder, or start again with"
                    + " --overwrite")
        }
    }
}
