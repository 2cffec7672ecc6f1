import Foundation

extension GPT2Tokenizer {
    /// The ids of each text, encoded on up to `threads` cores (default: all).
    ///
    /// Texts are cut into contiguous chunks handed to `DispatchQueue.concurrentPerform`; each chunk borrows
    /// one word cache. On failure the error of the lowest-numbered failing text is thrown.
    public func encodeBatch(
        _ texts: [String], special: SpecialTokenPolicy = .allow,
        threads: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws(TokenizerError) -> [[Int]] {
        let threads = max(1, threads)
        if threads == 1 || texts.count < 2 {
            var cache = takeCache()
            defer { giveBackCache(cache) }
            var results: [[Int]] = []
            results.reserveCapacity(texts.count)
            for (index, text) in texts.enumerated() {
                results.append(try encode(text, special: special, index: index, cache: &cache))
            }
            return results
        }
        // Several chunks per thread so one slow chunk does not leave a core idle at the end.
        let chunkCount = min(texts.count, threads * 8)
        var results = [[Int]](repeating: [], count: texts.count)
        var failures = [TokenizerError?](repeating: nil, count: chunkCount)
        results.withUnsafeMutableBufferPointer { resultBuffer in
            failures.withUnsafeMutableBufferPointer { failureBuffer in
                // Each index of both buffers is written by exactly one chunk.
                nonisolated(unsafe) let results = resultBuffer
                nonisolated(unsafe) let failures = failureBuffer
                DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                    let range = (chunk * texts.count / chunkCount)..<((chunk + 1) * texts.count / chunkCount)
                    var cache = takeCache()
                    defer { giveBackCache(cache) }
                    for index in range {
                        do throws(TokenizerError) {
                            results[index] = try encode(texts[index], special: special, index: index, cache: &cache)
                        } catch {
                            failures[chunk] = error
                            return
                        }
                    }
                }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        return results
    }
}
