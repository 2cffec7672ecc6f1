/// The learning rate at each optimizer step, as transformers' schedulers compute it.
///
/// `linear` is `get_linear_schedule_with_warmup` (transformers' default): a linear warmup from 0 over
/// `warmupSteps`, then a linear decay to 0 at `totalSteps`. `constant` is
/// `get_constant_schedule_with_warmup`. Step numbers are 0-based optimizer steps, i.e. the value the
/// scheduler's `last_epoch` holds when `optimizer.step()` runs.
public struct LearningRateSchedule: Equatable, Sendable, Codable {
    public enum Shape: String, Equatable, Sendable, Codable, CaseIterable { case linear, constant }

    public var peak: Double
    public var shape: Shape
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(peak: Double, shape: Shape = .linear, warmupSteps: Int = 0, totalSteps: Int) {
        self.peak = peak
        self.shape = shape
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    public func learningRate(atStep step: Int) -> Double { peak * multiplier(atStep: step) }

    func multiplier(atStep step: Int) -> Double {
        if step < warmupSteps { return Double(step) / Double(max(1, warmupSteps)) }
        switch shape {
        case .constant:
            return 1
        case .linear:
            return max(0, Double(totalSteps - step) / Double(max(1, totalSteps - warmupSteps)))
        }
    }
}
