import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

private func batches() throws -> [TrainingBatch] {
    try (0..<4).map { try randomBatch([8, 5, 6], seed: 100 + UInt64($0)) }
}

/// Everything a run's future depends on, as bits: all model parameters, prefix parameters, the hook-point
/// module's values (LoRA, bottleneck adapters), moments, step.
private func snapshot(_ t: Tuner) -> [UInt32] {
    var out = bits(t.model.parameters.buffer)
    if let prefix = t.prefix { out += bits(prefix.values.buffer) }
    if let module = t.extensionModule { out += bits(module.values.buffer) }
    out += bits(t.optimizer.firstMoment.buffer) + bits(t.optimizer.secondMoment.buffer)
    return out + [UInt32(t.completedSteps), UInt32(truncatingIfNeeded: t.random.state)]
}

/// Save after two steps → load into a fresh tuner on a fresh base model → two more steps equals four
/// uninterrupted steps bit for bit (parameters, prefix encoder, hook-point module, moments, step results), for
/// every method (LoRA, the bottleneck adapters and their +ln included) and for SGD with momentum; the
/// trainer's JSON comes back unchanged.
@Test(arguments: TuningMethods.names)
func resumeEqualsUninterrupted(_ name: String) throws {
    try checkResume(method: try contractMethod(name), options: contractOptions(name))
}

@Test func resumeWithSGDMomentum() throws {
    var options = contractOptions("prefix+ln")
    options.optimizer = OptimizerOptions(algorithm: .sgd, weightDecay: 0.01, decayScope: .all, momentum: 0.9)
    try checkResume(method: try contractMethod("prefix+ln"), options: options)
}

/// With dropout the masks are a function of the seed and the step, so a resumed run redraws exactly the
/// uninterrupted run's masks; and the steps really differ from a run without dropout.
@Test func resumeWithDropout() throws {
    var options = contractOptions("prefix+ln")
    options.dropout = 0.2
    try checkResume(method: try contractMethod("prefix+ln"), options: options)
    let data = try batches()
    let withDropout = try Tuner(model: try Tiny.model(), method: try contractMethod("prefix+ln"), options: options)
    let without = try Tuner(
        model: try Tiny.model(), method: try contractMethod("prefix+ln"), options: contractOptions("prefix+ln"))
    #expect(try withDropout.step(batches: [data[0]]).loss != without.step(batches: [data[0]]).loss)
}

private func checkResume(method: any TuningMethod, options: TunerOptions) throws {
    let data = try batches()
    let straight = try Tuner(model: try Tiny.model(), method: method, options: options)
    let straightResults = try data.map { try straight.step(batches: [$0]) }

    let first = try Tuner(model: try Tiny.model(), method: method, options: options)
    for b in data.prefix(2) { try first.step(batches: [b]) }
    let folder = try TemporaryFolder()
    let url = folder.url.appendingPathComponent("state.safetensors")
    let cursor = Data(#"{"epoch":0,"batch":2,"order":[3,1,2,0]}"#.utf8)
    try first.saveCheckpoint(to: url, trainerState: cursor)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["state.safetensors"])

    let checkpoint = try TrainingCheckpoint.read(from: url)
    #expect(checkpoint.trainerState == cursor)
    #expect(checkpoint.state.completedSteps == 2)
    let resumed = try Tuner(model: try Tiny.model(), resumingFrom: checkpoint)
    #expect(snapshot(resumed) == snapshot(first))
    let resumedResults = try data.suffix(2).map { try resumed.step(batches: [$0]) }
    #expect(resumedResults == Array(straightResults.suffix(2)))
    #expect(snapshot(resumed) == snapshot(straight))
}

/// Resuming is refused, with a typed error naming the file, for a checkpoint of another method, another
/// optimizer, another base model (a frozen weight differs), and for files that are not checkpoints.
@Test func resumeRefusesWhatDoesNotFit() throws {
    let folder = try TemporaryFolder()
    let url = folder.url.appendingPathComponent("ln.safetensors")
    let options = contractOptions("ln")
    let tuner = try Tuner(model: try Tiny.model(), method: LNTuning(), options: options)
    try tuner.step(batches: [try fourExamples()])
    try tuner.saveCheckpoint(to: url)
    let checkpoint = try TrainingCheckpoint.read(from: url)

    let bitfit = try Tuner(model: try Tiny.model(), method: BitFit(), options: options)
    #expect(throws: TuningError.self) { try bitfit.restore(from: checkpoint) }
    var sgd = options
    sgd.optimizer.algorithm = .sgd
    #expect(throws: TuningError.self) {
        try Tuner(model: try Tiny.model(), method: LNTuning(), options: sgd).restore(from: checkpoint)
    }
    let otherBase = try Tiny.model()
    otherBase.parameters[.block(1, .mlpFCWeight)][3] += 1
    let other = try Tuner(model: otherBase, method: LNTuning(), options: options)
    let untouched = snapshot(other)
    do {
        try other.restore(from: checkpoint)
        Issue.record("a checkpoint was restored onto another base model")
    } catch {
        #expect("\(error)".contains("frozen weights differ") && "\(error)".contains(url.path))
    }
    #expect(snapshot(other) == untouched)  // a refused restore changes nothing

    #expect(throws: TuningError.self) {
        try TrainingCheckpoint.read(from: folder.url.appendingPathComponent("missing"))
    }
    #expect(throws: TuningError.self) {
        try TrainingCheckpoint.read(from: Fixtures.url("tiny-gpt2/model.safetensors"))  // no training state
    }
    let truncated = folder.url.appendingPathComponent("truncated.safetensors")
    let bytes = try Data(contentsOf: url)
    try bytes.prefix(bytes.count / 2).write(to: truncated)
    #expect(throws: TuningError.self) { try TrainingCheckpoint.read(from: truncated) }
    #expect(throws: TuningError.self) { try tuner.saveCheckpoint(to: url, trainerState: Data("{not json".utf8)) }
}

/// The state JSON in the checkpoint's metadata records what a trainer needs to rebuild the run.
@Test func checkpointStateRecordsTheRun() throws {
    let folder = try TemporaryFolder()
    let url = folder.url.appendingPathComponent("c.safetensors")
    var options = contractOptions("prefix")
    options.seed = 0xFFFF_FFFF_FFFF_FFF1  // beyond 2^53: must survive JSON
    let tuner = try Tuner(model: try Tiny.model(), method: try contractMethod("prefix"), options: options)
    try tuner.saveCheckpoint(to: url)
    let state = try TrainingCheckpoint.read(from: url).state
    #expect(state.configuration == tuner.configuration)
    #expect(state.options == options)
    #expect(state.segments.map(\.name) == tuner.segments.map(\.name))
    #expect(state.completedSteps == 0)
}
