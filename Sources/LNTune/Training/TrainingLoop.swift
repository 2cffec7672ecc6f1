import Collective
import Datasets
import Foundation
import ResourceUsage
import Tuning

/// What the caller of `Trainer.run` controls besides the settings.
public struct TrainingControl: Sendable {
    /// Checked between steps and between dev batches: when set, the run writes a checkpoint and returns
    /// `.interrupted` (an evaluation it cut short is redone first on `--resume`).
    public var stop: StopRequest
    /// Stop as if interrupted once this call has done this many steps (tests, demos).
    public var stopAfterSteps: Int?
    /// Evaluate the dev loss before the first step of a new run (`initial_dev_loss`; never a "best").
    public var evaluateAtStart: Bool

    public init(stop: StopRequest = StopRequest(), stopAfterSteps: Int? = nil, evaluateAtStart: Bool = false) {
        self.stop = stop
        self.stopAfterSteps = stopAfterSteps
        self.evaluateAtStart = evaluateAtStart
    }
}

extension Trainer {
    /// The run itself (`run` adds what happens when it fails): trains until the last step, early stopping, or a
    /// stop request. Writes `final/` when the run ends (not when interrupted: then the checkpoint), `best/` at
    /// each new best dev loss, and `run.json` with the result.
    func train(control: TrainingControl, observer: (TrainingEvent) -> Void) throws -> TrainingSummary {
        observer(.started(overview))
        let outputs = try RunOutputs(trainer: self)
        if control.evaluateAtStart, state.completedSteps == 0, state.initialDevLoss == nil,
            let loss = try devLoss(stop: control.stop, observer: observer)
        {
            state.initialDevLoss = loss
            let metrics = try devMetricScores(outputs)
            try append(.init(type: "eval", step: 0, epoch: 0, devLoss: loss, best: false, metrics: metrics), outputs)
            observer(
                .evaluation(
                    .init(step: 0, epoch: 0, devLoss: loss, isBest: false, sinceImprovement: 0, metrics: metrics ?? [:])
                ))
        }
        var session = (steps: 0, tokens: 0, padded: 0, targets: 0, seconds: 0.0)
        var lastLoss: Double?
        var status = TrainingStatus.completed
        let total = schedule.totalSteps
        if state.pendingEvaluation == true, let stop = try evaluate(outputs, control: control, observer: observer) {
            status = stop
        } else if settings.earlyStoppingPatience.map({ state.sinceImprovement >= $0 }) == true {
            status = .stoppedEarly  // resumed after the decision to stop was taken (the final save had failed)
        }
        while status == .completed && state.completedSteps < total {
            if control.stop.isRequested || control.stopAfterSteps.map({ session.steps >= $0 }) == true {
                status = .interrupted
                break
            }
            let cursor = schedule.cursor(ofStep: state.completedSteps)
            let (batches, endsEpoch) = try times.time(\.batching) { () throws -> ([TrainingBatch], Bool) in
                let (raw, ends) = schedule.batches(at: cursor)
                return (try raw.map { try TrainingBatch($0) }, ends)
            }
            let stopwatch = Stopwatch()
            let result = try steps.step(batches: batches)
            let seconds = stopwatch.wallSeconds
            times.trainSteps += seconds
            var tokens = 0
            for batch in batches { tokens += batch.tokens.mask.reduce(0) { $0 + Int($1) } }
            session.steps += 1
            session.tokens += tokens
            session.targets += result.targetTokens
            session.padded += batches.reduce(0) { $0 + $1.tokens.tokens.count }
            session.seconds += seconds
            lastLoss = result.loss
            state.completedSteps = result.step
            state.cursor = schedule.cursor(ofStep: result.step)
            let epoch = Double(result.step) / Double(schedule.stepsPerEpoch)
            try times.time(\.saving) {
                try append(
                    .init(
                        type: "step", step: result.step, epoch: epoch, loss: result.loss,
                        learningRate: result.learningRate,
                        gradientNorm: result.gradientNorm, tokens: tokens, targetTokens: result.targetTokens),
                    outputs, tokensPerSecond: seconds > 0 ? Double(tokens) / seconds : nil)
            }
            let perStep = session.seconds / Double(session.steps)
            observer(
                .step(
                    .init(
                        step: result.step, totalSteps: total, epoch: epoch, loss: result.loss,
                        learningRate: result.learningRate, gradientNorm: result.gradientNorm,
                        tokensPerSecond: Double(session.tokens) / session.seconds,
                        targetTokensPerSecond: Double(session.targets) / session.seconds,
                        etaSeconds: perStep * Double(total - result.step)
                            + evaluationSeconds(
                                after: result.step,
                                secondsPerPaddedToken: session.seconds
                                    / Double(max(1, session.padded))))))
            let isLast = result.step == total
            let due = settings.evalEvery.map { result.step % $0 == 0 } ?? false
            if evaluator != nil && (endsEpoch || isLast || due),
                let stop = try evaluate(outputs, control: control, observer: observer)
            {
                status = stop
                break
            }
            if let every = settings.saveEvery, result.step % every == 0, !isLast {
                try saveCheckpoint(observer: observer)
            }
        }
        var summary = TrainingSummary(
            status: status, completedSteps: state.completedSteps, totalSteps: total,
            initialDevLoss: state.initialDevLoss,
            lastDevLoss: state.lastDevLoss, bestDevLoss: state.bestDevLoss, bestStep: state.bestStep,
            lastTrainLoss: lastLoss,
            tokensTrained: session.tokens,
            tokensPerSecond: session.seconds > 0 ? Double(session.tokens) / session.seconds : 0,
            targetTokensPerSecond: session.seconds > 0 ? Double(session.targets) / session.seconds : 0,
            paddedTokensPerSecond: session.seconds > 0 ? Double(session.padded) / session.seconds : 0, times: times,
            bestAdapter: state.bestStep == nil ? nil : folder.best.path,
            bestMetricName: outputs.bestModelMetric?.key, bestMetric: state.bestMetric, lastMetrics: state.lastMetrics)
        if status == .interrupted {
            try saveCheckpoint(observer: observer)
            summary.checkpoint = folder.checkpoint.path
        } else if processes.isRoot {
            try times.time(\.saving) {
                try folder.write(tuner.adapter(baseModel: settings.model), to: folder.final)
                if FileManager.default.fileExists(atPath: folder.checkpoint.path) {
                    try FileManager.default.removeItem(at: folder.checkpoint)
                }
            }
            summary.finalAdapter = folder.final.path
        }
        summary.times = times
        record.result = summary
        if processes.isRoot { try record.write(to: folder.runRecord) }
        return summary
    }

    /// The dev evaluation due after the current step, with its bookkeeping (dev loss, `--eval-metrics`, `best/`
    /// by the dev loss or `--metric-for-best-model`); returns `.stoppedEarly` when early stopping says to stop,
    /// `.interrupted` when a stop request cut it short, nil to go on. The state changes only once `best/` and the
    /// log entry are written, so an evaluation that fails or is interrupted leaves the state as before, marked
    /// pending, and a resumed run redoes it exactly.
    private func evaluate(_ outputs: RunOutputs, control: TrainingControl, observer: (TrainingEvent) -> Void) throws
        -> TrainingStatus?
    {
        let before = state
        let logLength = try log.length
        state.pendingEvaluation = true
        do {
            guard let loss = try devLoss(stop: control.stop, observer: observer) else { return .interrupted }
            let metrics = try devMetricScores(outputs)
            var after = before
            after.pendingEvaluation = nil
            after.lastDevLoss = loss
            after.lastMetrics = metrics
            let chosen = outputs.bestModelMetric.flatMap { metric in metrics?[metric.key].map { (metric, $0) } }
            let improved: Bool
            if let (metric, value) = chosen {
                improved = metric.improves(value, on: before.bestMetric)
            } else {
                improved = loss.isFinite && (before.bestDevLoss.map { loss < $0 } ?? true)
            }
            if improved {
                after.bestDevLoss = loss
                after.bestStep = state.completedSteps
                after.bestMetric = chosen?.1
                after.sinceImprovement = 0
                if processes.isRoot {
                    try times.time(\.saving) {
                        try folder.write(tuner.adapter(baseModel: settings.model), to: folder.best)
                    }
                }
            } else {
                after.sinceImprovement += 1
            }
            let epoch = Double(state.completedSteps) / Double(schedule.stepsPerEpoch)
            try append(
                .init(
                    type: "eval", step: state.completedSteps, epoch: epoch, devLoss: loss, best: improved,
                    metrics: metrics),
                outputs)
            state = after
            observer(
                .evaluation(
                    .init(
                        step: state.completedSteps, epoch: epoch, devLoss: loss, isBest: improved,
                        bestDevLoss: state.bestDevLoss,
                        bestStep: state.bestStep, sinceImprovement: state.sinceImprovement, metrics: metrics ?? [:],
                        bestMetricName: outputs.bestModelMetric?.key, bestMetric: state.bestMetric)))
            return settings.earlyStoppingPatience.map { state.sinceImprovement >= $0 } == true ? .stoppedEarly : nil
        } catch {
            state = before
            state.pendingEvaluation = true
            try? log.cut(to: logLength)
            throw error
        }
    }

    /// Writes the resumable state: the tuner's checkpoint with the trainer's state inside it, after the log
    /// it points into is on disk.
    func saveCheckpoint(observer: (TrainingEvent) -> Void) throws {
        guard processes.isRoot else { return }
        try times.time(\.saving) {
            try log.synchronize()
            state.logLength = try log.length
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let blob: Data
            do {
                blob = try encoder.encode(state)
            } catch {
                throw LNTuneError.io(
                    path: folder.checkpoint.path, reason: "cannot encode the trainer state (\(error))")
            }
            try tuner.saveCheckpoint(to: folder.checkpoint, trainerState: blob)
        }
        observer(.checkpoint(step: state.completedSteps, file: folder.checkpoint.path))
    }
}
