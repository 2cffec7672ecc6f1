import Foundation
import GPT2
import Testing
import TestSupport
import Tuning

private func tunerOptions(peak: Double, weightDecay: Float = 0) -> TunerOptions {
    TunerOptions(
        optimizer: OptimizerOptions(weightDecay: weightDecay),
        schedule: LearningRateSchedule(peak: peak, shape: .constant, totalSteps: 10), maxGradientNorm: 0)
}

/// A step whose loss or gradient norm is NaN or infinite stops with `.diverged` naming the step, before the
/// update (the step count stays); a step whose update makes a value non-finite stops right after it. A run
/// with an absurd learning rate used to train on to the end with NaN values.
@Test func divergenceStopsTheStepNamingIt() throws {
    let batch = try fourExamples()
    // 1e30 turns the LayerNorm gains into ~1e30 (finite); the next forward overflows.
    let huge = try Tuner(model: try Tiny.model(), method: LNTuning(), options: tunerOptions(peak: 1e30))
    var error = thrownError { () throws(TuningError) in for _ in 0..<5 { try huge.step(batches: [batch]) } }
    guard case let .diverged(step, quantity, value)? = error else {
        Issue.record("lr 1e30: \(String(describing: error))")
        return
    }
    #expect(step == huge.completedSteps + 1 && step >= 2)
    #expect(["loss", "gradient norm"].contains(quantity) && !value.isFinite)

    // 1e300 is infinite as a Float: the very first update writes infinity.
    let infinite = try Tuner(model: try Tiny.model(), method: LNTuning(), options: tunerOptions(peak: 1e300))
    error = thrownError { () throws(TuningError) in try infinite.step(batches: [batch]) }
    guard case let .diverged(1, quantity, _)? = error else {
        Issue.record("lr 1e300: \(String(describing: error))")
        return
    }
    #expect(quantity.hasPrefix("updated value transformer.h.0.ln_1"))

    // A base model that computes NaN stops at step 1, before any update.
    let broken = try Tiny.model()
    broken.parameters[.block(0, .mlpFCWeight)][5] = .nan
    let nanModel = try Tuner(model: broken, method: LNTuning(), options: tunerOptions(peak: 1e-3))
    let before = bits(nanModel.segments[0].valueBuffer)
    error = thrownError { () throws(TuningError) in try nanModel.step(batches: [batch]) }
    guard case .diverged(1, "loss", let loss)? = error, loss.isNaN else {
        Issue.record("a NaN base model: \(String(describing: error))")
        return
    }
    #expect(bits(nanModel.segments[0].valueBuffer) == before && nanModel.completedSteps == 0)
}

/// A non-finite state is never written: the checkpoint writer refuses it and the previous checkpoint stays
/// byte for byte; the adapter writer refuses it and creates nothing.
@Test func nonFiniteStatesAreNeverWritten() throws {
    let folder = try TemporaryFolder()
    let tuner = try Tuner(model: try Tiny.model(), method: LNTuning(), options: tunerOptions(peak: 1e300))
    let checkpoint = folder.url.appendingPathComponent("checkpoint.safetensors")
    try tuner.saveCheckpoint(to: checkpoint)
    let good = try Data(contentsOf: checkpoint)
    let batch = try fourExamples()
    _ = thrownError { () throws(TuningError) in try tuner.step(batches: [batch]) }
    let saveError = thrownError { () throws(TuningError) in try tuner.saveCheckpoint(to: checkpoint) }
    guard case let .nonFiniteTensor(file, tensor, _, _, hint)? = saveError else {
        Issue.record("saving an infinite state: \(String(describing: saveError))")
        return
    }
    #expect(file == checkpoint.path && tensor.hasPrefix("values/") && hint.contains("previous checkpoint"))
    #expect(try Data(contentsOf: checkpoint) == good)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["checkpoint.safetensors"])

    let adapterFolder = folder.url.appendingPathComponent("final")
    let writeError = thrownError { () throws(TuningError) in
        try AdapterFiles.write(tuner.adapter(), to: adapterFolder)
    }
    guard case .nonFiniteTensor? = writeError else {
        Issue.record("writing an infinite adapter: \(String(describing: writeError))")
        return
    }
    #expect(!FileManager.default.fileExists(atPath: adapterFolder.path))
}

/// An adapter whose weights hold NaN or infinity is refused at load, naming file and tensor, whatever the
/// method (every reader takes its tensors through one function).
@Test(arguments: [
    ("from-peft/ln", "adapter_model.safetensors"), ("from-peft/prefix", "adapter_model.safetensors"),
    ("from-lntune/bitfit", "bitfit.safetensors"), ("from-lntune/prefix-ln", "ln/adapter_model.safetensors"),
    ("from-lntune/prefix-ln", "prefix/adapter_model.safetensors"),
])
func nonFiniteAdapterTensorsAreRefusedAtLoad(_ adapter: String, _ weights: String) throws {
    let folder = try TemporaryFolder()
    let copy = try folder.copy(fixture: "adapters/" + adapter)
    let url = copy.appendingPathComponent(weights)
    let file = try SafeTensorsFile.open(url)
    var tensors: [(name: String, shape: [Int], data: [Float])] = []
    for name in file.tensorNames.sorted() {
        tensors.append((name, try #require(file.info(name)).shape, try file.readFloat32(name)))
    }
    tensors[tensors.count - 1].data[1] = -.infinity
    try SafeTensorsWriter.write(tensors: tensors, metadata: file.metadata, to: url)

    let error = thrownError { () throws(TuningError) in try AdapterFiles.read(from: copy, modelConfig: Tiny.config) }
    guard case let .model(.nonFiniteTensor(path, tensor, index, value))? = error else {
        Issue.record("\(adapter): \(String(describing: error))")
        return
    }
    #expect(path == url.path && tensor == tensors[tensors.count - 1].name && index == 1 && value == "-inf")
}

/// A prefix encoder too large for this machine's memory (or for an `Int`) is refused naming the option,
/// instead of trapping on the size or being killed while allocating it.
@Test func anImpossiblyLargePrefixEncoderIsRefused() throws {
    let model = try Tiny.model()
    for hidden in [Int.max, 1 << 40] {
        let method = PrefixTuning(options: PrefixTuningOptions(virtualTokens: 4, projection: .mlp(hidden: hidden)))
        #expect {
            try Tuner(model: model, method: method, options: tunerOptions(peak: 1e-3))
        } throws: { error in
            guard case let .invalidOption(name, _, hint)? = error as? TuningError else { return false }
            return name == "prefix-hidden" && hint.contains("this machine has")
        }
    }
}

/// Settings that pass a `>= 0` test but are infinite are refused before a tuner is built.
@Test func infiniteOptionsAreRefused() throws {
    let model = try Tiny.model()
    var cases = [tunerOptions(peak: .infinity), tunerOptions(peak: 1e-3, weightDecay: .infinity)]
    cases.append(tunerOptions(peak: 1e-3))
    cases[2].maxGradientNorm = .infinity
    cases.append(tunerOptions(peak: 1e-3))
    cases[3].optimizer.epsilon = .infinity
    for options in cases {
        #expect(throws: TuningError.self) { try Tuner(model: model, method: LNTuning(), options: options) }
    }
}
