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
            if let bad = values.withUnsafeBufferPointer({ FiniteScan.firstNonFinite($0) }) {
                throw refuse(tensor.huggingFaceName, bad)
            }
        }
        if let prefix, let bad = FiniteScan.firstNonFinite(UnsafeBufferPointer(prefix.buffer)) {
            throw refuse("prefix", bad)
        }
        if let fullParameters {
            for slot in fullParameters.layout.slots {
                let values = UnsafeBufferPointer(start: fullParameters.base + slot.offset, count: slot.count)
                if let bad = FiniteScan.firstNonFinite(values) { throw refuse(slot.tensor.huggingFaceName, bad) }
            }
        }
    }
}

extension FiniteScan {
    /// The first NaN or infinity in `values` with its index, or nil when all are finite.
    static func firstNonFinite(_ values: UnsafeBufferPointer<Float>) -> (index: Int, value: Float)? {
        guard let base = values.baseAddress, let index = firstNonFinite(base, count: values.count) else { return nil }
        return (index, values[index])
    }
}
