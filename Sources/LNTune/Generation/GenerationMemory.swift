import Decoding
import Foundation
import TextIO

extension Generator {
    /// Refuses a decoding request that would need more memory than the machine has left, before any of it is
    /// allocated: the key/value cache of `batchSize` prompts times their beams (or samples) over the longest
    /// prompt plus `max_new_tokens` (while beam search fans the prompts out, the old rows are still held), the
    /// larger of the prefill's and a step's activations, and the logits rows the decoders keep.
    public func checkMemory(
        prompts: [[Int]], batchSize: Int, parameters: GenerateParameters, available: Int = MemoryEstimate.available()
    ) throws(LNTuneError) {
        let config = loaded.config
        let batch = max(1, min(batchSize, prompts.count))
        let width = prompts.map(\.count).max() ?? 0
        let copies = max(parameters.numBeams, parameters.doSample ? parameters.numReturnSequences : 1)
        let rows = MemoryEstimate.multiply(batch, copies)
        let slots = (loaded.prefix?.length ?? 0) + width + parameters.maxNewTokens
        let prefill = MemoryEstimate.activations(config, rows: batch, length: width, keys: slots, training: false)
        let step = MemoryEstimate.activations(config, rows: rows, length: 1, keys: slots, training: false)
        let budget = MemoryEstimate([
            ("key/value cache", MemoryEstimate.cache(config, rows: MemoryEstimate.add(rows, batch), slots: slots)),
            ("activations", max(prefill, step)),
            ("logits", MemoryEstimate.logits(config, rows: MemoryEstimate.multiply(rows, 3))),
        ])
        let per = parameters.numBeams > 1 ? NumberText.count(copies, "beam") : NumberText.count(copies, "sequence")
        try budget.check(
            "decoding \(NumberText.count(batch, "prompt")) at once with \(per) each",
            hint: "lower --batch-size, --num-beams, --num-return-sequences or --max-new-tokens", available: available)
    }
}
