import Foundation

/// One tensor as the safetensors header describes it, after validation.
public struct SafeTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafeTensorsDType
    public let shape: [Int]
    /// Byte range within the data section (which starts right after the header).
    public let byteRange: Range<Int>
    public var elementCount: Int { shape.reduce(1, *) }
}

/// Parses and validates the header of a safetensors file held in memory (mapped or not).
///
/// Layout: an 8-byte little-endian header length `n`, `n` bytes of JSON
/// `{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, …}`, then the raw data;
/// offsets are relative to the data section. Every check that protects a later read lives here, so that a
/// validated header can be read without further bounds checks; nothing here trusts a number from the file
/// before comparing it with the file's real size.
struct SafeTensorsHeader {
    /// Larger headers are refused outright, as the Rust crate does (`MAX_HEADER_SIZE`, 100 MB): a garbled
    /// length must not make us decode a huge slice of the file as JSON.
    static let maxHeaderLength = 100_000_000

    let dataStart: Int
    let dataCount: Int
    /// In file order (ascending offsets).
    let tensors: [SafeTensorInfo]
    let metadata: [String: String]

    init(bytes: UnsafeRawBufferPointer, source: String) throws(GPT2Error) {
        func bad(_ reason: String) -> GPT2Error { .invalidSafeTensors(file: source, reason: reason) }
        guard bytes.count >= 8, let base = bytes.baseAddress else {
            throw bad("the file has \(bytes.count) bytes, fewer than the 8-byte header length (truncated?)")
        }
        let length = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        guard length <= UInt64(Self.maxHeaderLength) else {
            throw bad("header length \(length) is absurd (limit \(Self.maxHeaderLength) bytes): not a safetensors file")
        }
        let headerLength = Int(length)
        guard headerLength <= bytes.count - 8 else {
            throw bad("header length \(headerLength) runs past the end of the file (\(bytes.count) bytes; truncated?)")
        }
        guard headerLength >= 2, base.load(fromByteOffset: 8, as: UInt8.self) == UInt8(ascii: "{") else {
            throw bad("the header does not start with '{' (not a safetensors file?)")
        }
        dataStart = 8 + headerLength
        dataCount = bytes.count - dataStart

        let raw: RawHeader
        do {
            let json = Data(bytes: base + 8, count: headerLength)
            raw = try JSONDecoder().decode(RawHeader.self, from: json)
        } catch {
            throw bad("header JSON: \(GPT2Error.decodingReason(error))")
        }
        metadata = raw.metadata
        tensors = try Self.validate(raw.entries, dataCount: dataCount, source: source)
    }

    /// Checks each entry against the data section and the others; returns them in file order.
    private static func validate(_ entries: [(String, RawEntry)], dataCount: Int, source: String) throws(GPT2Error)
        -> [SafeTensorInfo]
    {
        var tensors: [SafeTensorInfo] = []
        tensors.reserveCapacity(entries.count)
        for (name, entry) in entries {
            func bad(_ reason: String) -> GPT2Error { .invalidTensor(file: source, tensor: name, reason: reason) }
            guard let dtype = SafeTensorsDType(rawValue: entry.dtype) else {
                throw .unsupportedDType(file: source, tensor: name, dtype: entry.dtype)
            }
            guard entry.shape.allSatisfy({ $0 >= 0 }) else { throw bad("negative dimension in shape \(entry.shape)") }
            var bytes = dtype.byteSize
            for dim in entry.shape {
                let (product, overflow) = bytes.multipliedReportingOverflow(by: dim)
                guard !overflow else { throw bad("shape \(entry.shape) is absurdly large") }
                bytes = product
            }
            guard entry.dataOffsets.count == 2 else {
                throw bad("data_offsets must be [begin, end], found \(entry.dataOffsets)")
            }
            let begin = entry.dataOffsets[0], end = entry.dataOffsets[1]
            guard begin >= 0, begin <= end, end <= dataCount else {
                throw bad(
                    "data_offsets [\(begin), \(end)] lie outside the data section (\(dataCount) bytes; truncated?)")
            }
            guard end - begin == bytes else {
                throw bad(
                    "data_offsets [\(begin), \(end)] span \(end - begin) bytes, but \(dtype.rawValue) \(entry.shape)"
                        + " needs \(bytes)")
            }
            tensors.append(SafeTensorInfo(name: name, dtype: dtype, shape: entry.shape, byteRange: begin..<end))
        }
        // Overlap check on the sorted ranges: each must start at or after the furthest end seen so far
        // (a running maximum, so an empty tensor between two others cannot hide an overlap).
        // Gaps are tolerated (harmless for reading); the Rust crate's writer never leaves any.
        tensors.sort {
            ($0.byteRange.lowerBound, $0.byteRange.upperBound) < ($1.byteRange.lowerBound, $1.byteRange.upperBound)
        }
        var furthest: SafeTensorInfo?
        for next in tensors where !next.byteRange.isEmpty {
            if let previous = furthest, next.byteRange.lowerBound < previous.byteRange.upperBound {
                throw .invalidTensor(
                    file: source, tensor: next.name,
                    reason: "data_offsets \(next.byteRange) overlap tensor '\(previous.name)' \(previous.byteRange)")
            }
            furthest = next
        }
        return tensors
    }
}

/// The header JSON as decoded, before validation. Tensor entries are keyed by name; `__metadata__` is the
/// only other key allowed and maps strings to strings.
private struct RawHeader: Decodable {
    var entries: [(String, RawEntry)] = []
    var metadata: [String: String] = [:]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                entries.append((key.stringValue, try container.decode(RawEntry.self, forKey: key)))
            }
        }
    }
}

private struct RawEntry: Decodable {
    let dtype: String
    let shape: [Int]
    let dataOffsets: [Int]

    enum CodingKeys: String, CodingKey {
        case dtype, shape
        case dataOffsets = "data_offsets"
    }
}
