import Collective
import Foundation
import Tuning

extension Trainer {
    /// Trains until the last step, early stopping, or a stop request (see `train`); `observer` hears the
    /// `TrainingEvent`s.
    ///
    /// When the run fails, nothing of it is lost that can be kept, and the error says what is intact:
    /// - it diverged (a NaN or infinite loss, gradient or value; `Tuner`): nothing is saved from the diverged
    ///   state, so the last checkpoint and `best/` stay as they were and no NaN adapter is written;
    /// - anything else (a full disk, a file that cannot be written): the state after the last completed step
    ///   is saved as a checkpoint if that still works, else the previous checkpoint is left intact (checkpoints
    ///   are replaced atomically); the error names the one `--resume` continues from, or says there is none.
    ///
    /// Either way `run.json` records the status (`diverged`, `failed`) and the error, so a later `--resume` or a
    /// new run into the folder gives the right advice.
    public func run(control: TrainingControl = TrainingControl(), observer: (TrainingEvent) -> Void = { _ in }) throws
        -> TrainingSummary
    {
        do {
            return try train(control: control, observer: observer)
        } catch {
            throw settle(error, observer: observer)
        }
    }

    /// What a failed run leaves behind, as the error to report.
    private func settle(_ error: Error, observer: (TrainingEvent) -> Void) -> Error {
        if case let .diverged(step, quantity, value) = error as? TuningError {
            recordEnd(.diverged, error: "\(error)")
            return LNTuneError.training(
                .diverged(
                    step: step, quantity: quantity, value: value, kept: keptDescription(),
                    hint: divergenceHint(step: step, quantity: quantity)))
        }
        let step = state.completedSteps
        let recovery: String
        if !processes.isRoot {
            // Only rank 0 writes checkpoints (and this failure ends it too): tell of the last one it wrote.
            recovery =
                previousCheckpointStep().map { step in
                    "Rank 0's checkpoint after step \(step) is in \(folder.checkpoint.path): remove the cause and run"
                        + " the same command with --resume (with any number of processes)"
                } ?? "No checkpoint had been written: remove the cause and start again with --overwrite"
        } else if (try? saveCheckpoint(observer: observer)) != nil {
            recovery =
                "The state after step \(step) is saved in \(folder.checkpoint.path): remove the cause (free disk"
                + " space, …) and run the same command with --resume"
        } else if let previous = previousCheckpointStep() {
            recovery =
                "Saving the state failed as well; the previous checkpoint (after step \(previous)) is intact:"
                + " remove the cause and run the same command with --resume to continue from there"
        } else {
            recovery =
                "Saving the state failed as well and no earlier checkpoint exists, so the run cannot be resumed:"
                + " remove the cause and start it again with --overwrite (--save-every N keeps checkpoints"
                + " along the way)"
        }
        recordEnd(.failed, error: "\(error)")
        return LNTuneError.training(.runFailed(step: step, error: "\(error)", recovery: recovery))
    }

    /// The completed steps of the checkpoint in the folder, if there is a readable one.
    private func previousCheckpointStep() -> Int? {
        guard FileManager.default.fileExists(atPath: folder.checkpoint.path) else { return nil }
        return try? TrainingCheckpoint.read(from: folder.checkpoint).state.completedSteps
    }

    /// What of a diverged run is intact, for the error.
    private func keptDescription() -> String {
        var kept: [String] = []
        if let previous = previousCheckpointStep() {
            kept.append(
                "the checkpoint after step \(previous) is kept (\(folder.checkpoint.path); --resume continues from it"
                    + " with the same settings)")
        } else {
            kept.append("no checkpoint had been written")
        }
        if let best = state.bestStep, let loss = state.bestDevLoss {
            kept.append(String(format: "best/ holds the adapter of step %d (dev loss %.4f)", best, loss))
        }
        return kept.joined(separator: "; ")
    }

    /// What to change: a loss that is NaN before any update comes from the model or the data, anything later
    /// from the optimisation settings.
    private func divergenceHint(step: Int, quantity: String) -> String {
        if step <= 1 && tuner.completedSteps == 0 && (quantity == "loss" || quantity == "dev loss") {
            return "The loss is not finite before any update: the base model (\(settings.model)) or the data make it"
                + " NaN; check the model's weights (e.g. lntune perplexity --model … on a few lines)"
        }
        var hint = "Lower --lr (this run: \(settings.resolvedLearningRate))"
        if settings.weightDecay > 0 { hint += " or --weight-decay (\(settings.weightDecay))" }
        if settings.clip == 0 { hint += "; --clip 1 bounds the gradient of each step" }
        return hint + ", and start again with --overwrite"
    }

    /// Records how the run ended in `run.json`, as far as that can still be written (on a full disk it may not).
    private func recordEnd(_ status: TrainingStatus, error: String) {
        var summary = TrainingSummary(
            status: status, completedSteps: state.completedSteps, totalSteps: schedule.totalSteps,
            initialDevLoss: state.initialDevLoss, lastDevLoss: state.lastDevLoss, bestDevLoss: state.bestDevLoss,
            bestStep: state.bestStep, tokensTrained: 0, tokensPerSecond: 0, targetTokensPerSecond: 0,
            paddedTokensPerSecond: 0, times: times, bestAdapter: state.bestStep == nil ? nil : folder.best.path)
        if previousCheckpointStep() != nil { summary.checkpoint = folder.checkpoint.path }
        summary.error = error
        record.result = summary
        if processes.isRoot { try? record.write(to: folder.runRecord) }
    }
}
