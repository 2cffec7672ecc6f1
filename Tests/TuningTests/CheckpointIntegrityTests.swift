import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

/// A checkpoint after two steps of `method`, written to `url`.
private func savedTuner(_ url: URL, method: String = "prefix+ln") throws -> Tuner {
    let tuner = try Tuner(model: try Tiny.model(), method: try contractMethod(method), options: contractOptions(method))
    for _ in 0..<2 { try tuner.step(batches: [try fourExamples()]) }
    try tuner.saveCheckpoint(to: url, trainerState: Data(#"{"completed_steps":2}"#.utf8))
    return tuner
}

/// A fresh tuner of the same run, to restore into.
private func freshTuner(_ method: String = "prefix+ln") throws -> Tuner {
    try Tuner(model: try Tiny.model(), method: try contractMethod(method), options: contractOptions(method))
}

/// Every checkpoint carries a checksum of its state and tensors; one flipped bit anywhere in the tensor data
/// or in the recorded state is refused on resume (naming the file and what to do), and the tuner is left as
/// it was. Before, a bit-flipped checkpoint resumed silently into a different run.
@Test(arguments: [0, 1, 7, 31])
func aFlippedBitIsRefusedOnResume(_ bit: Int) throws {
    let folder = try TemporaryFolder()
    let url = folder.url.appendingPathComponent("checkpoint.safetensors")
    _ = try savedTuner(url)
    #expect(try TrainingCheckpoint.read(from: url).storedChecksum?.hasPrefix("fnv1a64:") == true)
    try freshTuner().restore(from: try TrainingCheckpoint.read(from: url))  // intact: restores

    var bytes = try Data(contentsOf: url)
    let position = bytes.count - 1 - 4 * (bit + 3)  // a float of the last tensor
    bytes[position] ^= UInt8(1 << (bit % 8))
    try bytes.write(to: url)
    let target = try freshTuner()
    let untouched = bits(target.segments[0].valueBuffer)
    let error = thrownError { () throws(TuningError) in try target.restore(from: try TrainingCheckpoint.read(from: url))
    }
    guard case let .invalidCheckpoint(file, reason)? = error else {
        Issue.record("bit \(bit): \(String(describing: error))")
        return
    }
    #expect(file == url.path && reason.contains("checksum") && reason.contains("--overwrite"))
    #expect(bits(target.segments[0].valueBuffer) == untouched && target.completedSteps == 0)
}

/// A digit changed in the recorded state (a different step count) is caught as well.
@Test func aChangedStateIsRefusedOnResume() throws {
    let folder = try TemporaryFolder()
    let url = folder.url.appendingPathComponent("checkpoint.safetensors")
    _ = try savedTuner(url)
    var bytes = try Data(contentsOf: url)
    let needle = Data(#"\"completed_steps\":2"#.utf8)
    let found = try #require(bytes.range(of: needle), "the state JSON is in the header")
    bytes[found.upperBound - 1] = UInt8(ascii: "3")
    try bytes.write(to: url)
    let target = try freshTuner()
    let error = thrownError { () throws(TuningError) in try target.restore(from: try TrainingCheckpoint.read(from: url))
    }
    guard case let .invalidCheckpoint(_, reason)? = error else {
        Issue.record("\(String(describing: error))")
        return
    }
    #expect(reason.contains("checksum"))
}

/// A checkpoint written before checksums existed (no `lntune_checksum`) still resumes, bit for bit.
@Test func aCheckpointWithoutChecksumStillResumes() throws {
    let folder = try TemporaryFolder()
    let url = folder.url.appendingPathComponent("checkpoint.safetensors")
    let saved = try savedTuner(url)
    let file = try SafeTensorsFile.open(url)
    var tensors: [(name: String, shape: [Int], data: [Float])] = []
    for name in file.tensorNames {
        tensors.append((name, try #require(file.info(name)).shape, try file.readFloat32(name)))
    }
    var metadata = file.metadata
    metadata[TrainingCheckpoint.checksumKey] = nil
    try SafeTensorsWriter.write(tensors: tensors, metadata: metadata, to: url)

    let old = try TrainingCheckpoint.read(from: url)
    #expect(old.storedChecksum == nil)
    let restored = try freshTuner()
    try restored.restore(from: old)
    #expect(restored.completedSteps == 2)
    for (a, b) in zip(restored.segments, saved.segments) { #expect(bits(a.valueBuffer) == bits(b.valueBuffer)) }
}
