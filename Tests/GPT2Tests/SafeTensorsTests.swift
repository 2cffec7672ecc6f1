import Foundation
import Testing
import TestSupport

import GPT2

/// A safetensors image: 8-byte little-endian header length (`length` overrides it), header, data.
func safetensorsImage(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> Data {
    safetensorsImage(bytes: Array(header.utf8), data: data, length: length)
}

func safetensorsImage(bytes header: [UInt8], data: [UInt8] = [], length: UInt64? = nil) -> Data {
    var image = Data()
    withUnsafeBytes(of: (length ?? UInt64(header.count)).littleEndian) { image.append(contentsOf: $0) }
    image.append(contentsOf: header)
    image.append(contentsOf: data)
    return image
}

extension GPT2Error {
    /// The case name (`invalidTensor`), for tables of expected errors.
    var kind: String { Mirror(reflecting: self).children.first?.label ?? "\(self)" }
    /// The `tensor:` payload, when the case has one.
    var tensor: String? {
        guard let payload = Mirror(reflecting: self).children.first?.value else { return nil }
        return Mirror(reflecting: payload).children.first { $0.label == "tensor" }?.value as? String
    }
}

struct HeaderCase: Sendable, CustomTestStringConvertible {
    let name: String
    let image: Data
    let kind: String
    var tensor: String? = nil
    var testDescription: String { name }
}

private func f32(_ shape: [Int], _ begin: Int, _ end: Int, dtype: String = "F32") -> String {
    "{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(begin),\(end)]}"
}

private let headerCases: [HeaderCase] = [
    HeaderCase(name: "empty file", image: Data(), kind: "invalidSafeTensors"),
    HeaderCase(name: "7 bytes", image: Data([1, 0, 0, 0, 0, 0, 0]), kind: "invalidSafeTensors"),
    HeaderCase(name: "absurd header length", image: safetensorsImage("{}", length: .max), kind: "invalidSafeTensors"),
    HeaderCase(
        name: "header length just over the limit",
        image: safetensorsImage("{}", length: 100_000_001), kind: "invalidSafeTensors"),
    HeaderCase(name: "header beyond file", image: safetensorsImage("{}", length: 3), kind: "invalidSafeTensors"),
    HeaderCase(name: "not JSON", image: safetensorsImage("{nope"), kind: "invalidSafeTensors"),
    HeaderCase(name: "not an object", image: safetensorsImage("[1,2]"), kind: "invalidSafeTensors"),
    HeaderCase(
        name: "bad UTF-8", image: safetensorsImage(bytes: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]),
        kind: "invalidSafeTensors"),
    HeaderCase(
        name: "metadata not strings", image: safetensorsImage("{\"__metadata__\":{\"a\":1}}"),
        kind: "invalidSafeTensors"),
    HeaderCase(
        name: "shape of strings",
        image: safetensorsImage(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[\"x\"],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0]),
        kind: "invalidSafeTensors"),
    HeaderCase(
        name: "missing data_offsets", image: safetensorsImage("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}"),
        kind: "invalidSafeTensors"),
    HeaderCase(
        name: "offset beyond Int",
        image: safetensorsImage("{\"a\":" + f32([1], 0, 4).replacingOccurrences(of: "[0,4]", with: "[0,1e30]") + "}"),
        kind: "invalidSafeTensors"),
    HeaderCase(
        name: "unknown dtype", image: safetensorsImage("{\"a\":\(f32([1], 0, 4, dtype: "F7"))}", data: [0, 0, 0, 0]),
        kind: "unsupportedDType", tensor: "a"),
    HeaderCase(
        name: "negative dimension", image: safetensorsImage("{\"a\":\(f32([-1], 0, 4))}", data: [0, 0, 0, 0]),
        kind: "invalidTensor", tensor: "a"),
    HeaderCase(
        name: "offsets past the data", image: safetensorsImage("{\"a\":\(f32([2], 0, 8))}", data: [0, 0, 0, 0]),
        kind: "invalidTensor", tensor: "a"),
    HeaderCase(
        name: "offsets reversed", image: safetensorsImage("{\"a\":\(f32([1], 4, 0))}", data: [0, 0, 0, 0]),
        kind: "invalidTensor", tensor: "a"),
    HeaderCase(
        name: "size disagrees with shape", image: safetensorsImage("{\"a\":\(f32([2], 0, 4))}", data: [0, 0, 0, 0]),
        kind: "invalidTensor", tensor: "a"),
    HeaderCase(
        name: "three offsets",
        image: safetensorsImage("{\"a\":" + f32([1], 0, 4).replacingOccurrences(of: "[0,4]", with: "[0,4,8]") + "}"),
        kind: "invalidTensor", tensor: "a"),
    HeaderCase(
        name: "shape overflows",
        image: safetensorsImage("{\"a\":\(f32([1 << 40, 1 << 40], 0, 4))}", data: [0, 0, 0, 0]),
        kind: "invalidTensor", tensor: "a"),
    HeaderCase(
        name: "overlapping tensors",
        image: safetensorsImage(
            "{\"a\":\(f32([2], 0, 8)),\"b\":\(f32([2], 4, 12))}", data: Array(repeating: 0, count: 12)),
        kind: "invalidTensor", tensor: "b"),
    HeaderCase(
        name: "overlap behind an empty tensor",
        image: safetensorsImage(
            "{\"a\":\(f32([4], 0, 16)),\"e\":\(f32([0], 8, 8)),\"b\":\(f32([1], 12, 16))}",
            data: Array(repeating: 0, count: 16)),
        kind: "invalidTensor", tensor: "b"),
]

/// Each malformed header is a typed error of the expected kind naming the file (and the tensor when one is
/// at fault), never a crash.
@Test(arguments: headerCases)
func malformedHeadersAreTypedErrors(_ c: HeaderCase) {
    let url = URL(fileURLWithPath: "/fixture/\(c.name).safetensors")
    do {
        let file = try SafeTensorsFile(data: c.image, url: url)
        Issue.record("\(c.name): parsed without error (\(file.tensorNames))")
    } catch {
        #expect(error.kind == c.kind, "\(error)")
        #expect(error.tensor == c.tensor, "\(error)")
        #expect(error.description.contains(url.path))
    }
}

/// A well-formed file with a gap between tensors, every convertible dtype and an empty tensor reads back exactly;
/// reads of the wrong dtype, size or name are typed errors.
@Test func readsEveryFloatDTypeAndRejectsMisuse() throws {
    let half: [UInt8] = [0x00, 0x3C, 0x00, 0xC0]  // F16 1.0, -2.0
    let brain: [UInt8] = [0x80, 0x3F, 0x40, 0xC0]  // BF16 1.0, -3.0
    let single: [UInt8] = [0x00, 0x00, 0x80, 0x3F]  // F32 1.0
    let header =
        "{\"__metadata__\":{\"format\":\"pt\"},\"h\":\(f32([2], 0, 4, dtype: "F16")),\"gap\":\(f32([0], 4, 4)),"
        + "\"b\":\(f32([2], 8, 12, dtype: "BF16")),\"s\":\(f32([1, 1], 12, 16)),\"i\":\(f32([1], 16, 20, dtype: "I32"))}"
    let data = half + [9, 9, 9, 9] + brain + single + [1, 0, 0, 0]
    let file = try SafeTensorsFile(
        data: safetensorsImage(header, data: data), url: URL(fileURLWithPath: "/x.safetensors"))
    #expect(file.tensorNames == ["h", "gap", "b", "s", "i"])
    #expect(file.metadata == ["format": "pt"])
    #expect(try file.readFloat32("h") == [1, -2])
    #expect(try file.readFloat32("b") == [1, -3])
    #expect(try file.readFloat32("s") == [1])
    #expect(try file.readFloat32("gap") == [])
    #expect(file.info("b")?.shape == [2])
    #expect(file.info("b")?.dtype == .bf16)
    #expect(throws: GPT2Error.unsupportedDType(file: "/x.safetensors", tensor: "i", dtype: "I32")) {
        try file.readFloat32("i")
    }
    #expect(throws: GPT2Error.missingTensor(file: "/x.safetensors", tensor: "nope")) { try file.readFloat32("nope") }
    var small = [Float](repeating: 0, count: 1)
    #expect { try small.withUnsafeMutableBufferPointer { try file.readFloat32("h", into: $0) } } throws: { error in
        (error as? GPT2Error)?.kind == "invalidTensor"
    }
}

/// The writer pads the header with spaces to 8 bytes (as the Rust crate does) and the reader reads back what
/// it wrote, for tensors large enough to be converted in parallel chunks.
@Test func writerRoundTripsAndPadsHeader() throws {
    let folder = try TemporaryFolder()
    let url = folder.url.appendingPathComponent("t.safetensors")
    let big = (0..<(3 << 20) + 5).map { Float($0 % 1000) * 0.5 - 7 }
    try SafeTensorsWriter.write(
        tensors: [
            (name: "a\"quoted\\name", shape: [2, 3], data: [1, 2, 3, 4, 5, 6]),
            (name: "big", shape: [big.count], data: big),
        ],
        metadata: ["format": "pt", "note": "x"], to: url)
    let bytes = try Data(contentsOf: url)
    let length = bytes.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    #expect(length % 8 == 0)
    #expect(bytes.count == 8 + Int(length) + 4 * (6 + big.count))
    let file = try SafeTensorsFile.open(url)
    #expect(file.tensorNames == ["a\"quoted\\name", "big"])
    #expect(file.metadata == ["format": "pt", "note": "x"])
    #expect(try file.readFloat32("a\"quoted\\name") == [1, 2, 3, 4, 5, 6])
    #expect(try file.readFloat32("big") == big)
}

/// The writer refuses inconsistent input and leaves no file (final or temporary) behind.
@Test func writerRejectsBadInputWithoutLeavingFiles() throws {
    let folder = try TemporaryFolder()
    let url = folder.url.appendingPathComponent("t.safetensors")
    #expect(throws: GPT2Error.self) {
        try SafeTensorsWriter.write(tensors: [(name: "a", shape: [3], data: [1, 2])], to: url)
    }
    #expect(throws: GPT2Error.self) {
        try SafeTensorsWriter.write(
            tensors: [(name: "a", shape: [1], data: [1]), (name: "a", shape: [1], data: [2])], to: url)
    }
    #expect(throws: GPT2Error.self) {
        try SafeTensorsWriter.write(
            tensors: [(name: "x", shape: [1], data: [1])], to: folder.url.appendingPathComponent("no/such/dir.st"))
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
}
