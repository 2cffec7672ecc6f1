import Foundation
import GPT2

extension Adapter {
    /// Refuses an adapter holding NaN or infinity before anything of it is written to `directory`: such an
    /// adapter comes from a run that diverged, and written out it would load and generate garbage silently.
    func requireFinite(writingTo directory: URL) throws(TuningError) {
        func refuse(_ tensor: String, _ bad: (index: Int, value: Float)) -> TuningError {
            .nonFiniteTensor(
                file: directory.path, tensor: tensor, index: bad.index, value: bad.value,
                hint: "refusing to write an adapter that is not finite (the training diverged; lower --lr)")
        }
        for (tensor, values) in tensors {
            if let bad = FiniteValues.firstNonFinite(values) { throw refuse(tensor.huggingFaceName, bad) }
        }
        if let prefix, let bad = FiniteValues.firstNonFinite(prefix.buffer) { throw refuse("prefix", bad) }
        if let fullParameters {
            for slot in fullParameters.layout.slots {
                let values = UnsafeBufferPointer(start: fullParameters.base + slot.offset, count: slot.count)
                if let bad = FiniteValues.firstNonFinite(values) { throw refuse(slot.tensor.huggingFaceName, bad) }
            }
        }
    }
}

extension AdapterFiles {
    /// What a reader says about a tensor that holds NaN or infinity.
    static let nonFiniteHint =
        "an adapter or checkpoint must hold finite numbers (was it written by a run that diverged? train again"
        + " with a lower --lr)"

    /// `values` as read from `tensor` of `file`, after checking that every one is finite.
    static func requireFinite(_ values: [Float], tensor: String, file: String) throws(TuningError) -> [Float] {
        if let bad = FiniteValues.firstNonFinite(values) {
            throw .nonFiniteTensor(file: file, tensor: tensor, index: bad.index, value: bad.value, hint: nonFiniteHint)
        }
        return values
    }
}
