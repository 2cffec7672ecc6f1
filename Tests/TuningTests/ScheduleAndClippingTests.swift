import Testing
import Tuning

/// The linear schedule reproduces transformers' get_linear_schedule_with_warmup at every step
/// (peak 1e-3, 3 warmup steps, 10 total: values computed by that function).
@Test func linearScheduleMatchesTransformers() {
    let schedule = LearningRateSchedule(peak: 1e-3, shape: .linear, warmupSteps: 3, totalSteps: 10)
    let thirds: [Double] = [0, 1, 2].map { $0 / 3 }
    let sevenths: [Double] = [7, 6, 5, 4, 3, 2, 1, 0, 0].map { $0 / 7 }
    let expected = thirds + sevenths
    for (step, m) in expected.enumerated() {
        #expect(abs(schedule.learningRate(atStep: step) - 1e-3 * m) < 1e-15, "step \(step)")
    }
}

/// The constant schedule warms up, then stays at the peak.
@Test func constantScheduleWarmsUpThenHolds() {
    let schedule = LearningRateSchedule(peak: 0.5, shape: .constant, warmupSteps: 2, totalSteps: 4)
    #expect((0..<6).map { schedule.learningRate(atStep: $0) } == [0, 0.25, 0.5, 0.5, 0.5, 0.5])
}

/// Clipping scales all trainable gradients by maxNorm/(norm+1e-6) only when the norm is larger, and leaves
/// values outside the ranges untouched.
@Test func clippingScalesOnlyTrainableRanges() {
    var g: [Float] = [3, 99, 4, 0]
    let norm = g.withUnsafeMutableBufferPointer {
        GradientClipping.clip($0.baseAddress!, ranges: [0..<1, 2..<3], maxNorm: 1)
    }
    #expect(norm == 5)
    #expect(abs(g[0] - 3 / (5 + 1e-6)) < 1e-7 && abs(g[2] - 4 / (5 + 1e-6)) < 1e-7)
    #expect(g[1] == 99 && g[3] == 0)

    var small: [Float] = [0.3, 0.4]
    small.withUnsafeMutableBufferPointer { _ = GradientClipping.clip($0.baseAddress!, ranges: [0..<2], maxNorm: 1) }
    #expect(small == [0.3, 0.4])
}
