import Dispatch
import Foundation

/// A safetensors file opened for reading: the header is parsed and validated once, the data stays memory-mapped
/// and each tensor is converted to `Float` straight into the caller's buffer.
///
/// Mapping (`.alwaysMapped`) makes opening a 500 MB checkpoint take no time and lets the page cache be the
/// only copy of the raw bytes; a plain read would copy the file once more before converting.
public struct SafeTensorsFile: Sendable {
    public let url: URL
    /// Tensor names in file order (ascending data offsets).
    public let tensorNames: [String]
    /// The `__metadata__` map (`{"format": "pt"}` for files written by transformers).
    public let metadata: [String: String]

    private let data: Data
    private let dataStart: Int
    private let infos: [String: SafeTensorInfo]

    /// Maps and validates `url`. Every structural problem is a `GPT2Error` naming the file.
    public static func open(_ url: URL) throws(GPT2Error) -> SafeTensorsFile {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw .fileUnreadable(file: url.path, reason: error.localizedDescription)
        }
        return try SafeTensorsFile(data: data, url: url)
    }

    /// Parses a safetensors image already in memory; `url` only names it in errors.
    public init(data: Data, url: URL) throws(GPT2Error) {
        // `withUnsafeBytes` only rethrows untyped errors, so the typed result travels out as a `Result`.
        let header = try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            Result { () throws(GPT2Error) in try SafeTensorsHeader(bytes: bytes, source: url.path) }
        }.get()
        self.url = url
        self.data = data
        self.dataStart = header.dataStart
        self.metadata = header.metadata
        self.tensorNames = header.tensors.map(\.name)
        self.infos = Dictionary(header.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The header entry of one tensor, or nil when the file has none of that name.
    public func info(_ name: String) -> SafeTensorInfo? { infos[name] }

    /// Converts tensor `name` to `Float` into `destination`, which must hold exactly its element count.
    ///
    /// Large tensors are converted in chunks on all cores: a cold read is bound by page faults on the
    /// mapping, and those proceed in parallel.
    public func readFloat32(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws(GPT2Error) {
        try convert(name, into: destination, requireFinite: false)
    }

    /// As `readFloat32(_:into:)`, and a NaN or infinity anywhere in the tensor is `nonFiniteTensor` naming it
    /// and the first such index. Each chunk is scanned right after its conversion, while it is still in cache,
    /// so the check costs a few percent of the load (see `FiniteScan`).
    public func readFiniteFloat32(_ name: String, into destination: UnsafeMutableBufferPointer<Float>)
        throws(GPT2Error)
    {
        try convert(name, into: destination, requireFinite: true)
    }

    private func convert(_ name: String, into destination: UnsafeMutableBufferPointer<Float>, requireFinite: Bool)
        throws(GPT2Error)
    {
        guard let info = infos[name] else { throw .missingTensor(file: url.path, tensor: name) }
        guard info.dtype.convertsToFloat32 else {
            throw .unsupportedDType(file: url.path, tensor: name, dtype: info.dtype.rawValue)
        }
        let count = info.elementCount
        guard destination.count == count else {
            throw .invalidTensor(
                file: url.path, tensor: name,
                reason: "the destination holds \(destination.count) values, the tensor \(count) (\(info.shape))")
        }
        guard count > 0, let target = destination.baseAddress else { return }
        let dtype = info.dtype, size = dtype.byteSize
        let chunk = Self.chunkElements
        let chunks = (count + chunk - 1) / chunk
        // The first non-finite index each chunk found (Int.max: none); each work item writes only its own slot.
        var firstNonFinite = [Int](repeating: .max, count: chunks)
        firstNonFinite.withUnsafeMutableBufferPointer { found in
            data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                // The header check guaranteed dataStart + byteRange lies inside the file.
                guard let base = bytes.baseAddress else { return }
                nonisolated(unsafe) let source = base + dataStart + info.byteRange.lowerBound
                nonisolated(unsafe) let target = target
                nonisolated(unsafe) let found = found
                @Sendable func convertChunk(_ c: Int) {
                    let start = c * chunk
                    let n = min(chunk, count - start)
                    guard requireFinite else {
                        dtype.convertToFloat32(source + start * size, count: n, into: target + start)
                        return
                    }
                    // Slice by slice, so that each slice is scanned while it is still in L1/L2.
                    for sliceStart in stride(from: start, to: start + n, by: Self.scanSliceElements) {
                        let m = min(Self.scanSliceElements, start + n - sliceStart)
                        dtype.convertToFloat32(source + sliceStart * size, count: m, into: target + sliceStart)
                        if found[c] == .max, let i = FiniteScan.firstNonFinite(target + sliceStart, count: m) {
                            found[c] = sliceStart + i
                        }
                    }
                }
                if chunks == 1 {
                    convertChunk(0)
                } else {
                    DispatchQueue.concurrentPerform(iterations: chunks, execute: convertChunk)
                }
            }
        }
        if let index = firstNonFinite.min(), index != .max {
            throw .nonFiniteTensor(
                file: url.path, tensor: name, index: index, value: FiniteScan.describe(target[index]))
        }
    }

    /// Convenience: one tensor as a new array.
    public func readFloat32(_ name: String) throws(GPT2Error) -> [Float] {
        guard let info = infos[name] else { throw .missingTensor(file: url.path, tensor: name) }
        var result = [Float](repeating: 0, count: info.elementCount)
        let status = result.withUnsafeMutableBufferPointer { buffer in
            Result { () throws(GPT2Error) in try readFloat32(name, into: buffer) }
        }
        try status.get()
        return result
    }

    /// 1 M elements (4 MB of output) per parallel work item: big enough to amortise dispatch, small enough
    /// to split the embedding matrices evenly over the cores.
    static let chunkElements = 1 << 20

    /// 16 k elements (64 KB of output): what the finite check scans right after converting it, while the
    /// values are still in L1/L2. A scan after each whole 4 MB chunk re-reads it from memory.
    static let scanSliceElements = 1 << 14
}
