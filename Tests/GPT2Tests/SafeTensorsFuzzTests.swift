import Foundation
import Testing
import TestSupport

import GPT2

private let fixture = Fixtures.url("tiny-gpt2/model.safetensors")
private let fuzzURL = URL(fileURLWithPath: "/fuzz/model.safetensors")

/// Parses `image`; when it parses, reads every convertible tensor (the reads trust the validated header,
/// so this is what would go out of bounds if validation missed something). Returns whether it parsed.
@discardableResult
private func parseAndReadAll(_ image: Data) -> Bool {
    do {
        let file = try SafeTensorsFile(data: image, url: fuzzURL)
        for name in file.tensorNames where file.info(name)?.dtype.convertsToFloat32 == true {
            _ = try file.readFloat32(name)
        }
        return true
    } catch {
        #expect(error.description.contains(fuzzURL.path), "\(error)")
        return false
    }
}

private func headerEnd(_ image: Data) -> Int {
    8 + Int(image.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
}

/// The fixture cut at every length inside the header and at many lengths inside the data is a typed error:
/// the last tensor always ends at the end of the file, so no truncation can be valid.
@Test func truncatedImagesAreErrors() throws {
    let image = try Data(contentsOf: fixture)
    let lengths =
        Array(0..<(headerEnd(image) + 64)) + Array(stride(from: headerEnd(image) + 64, to: image.count, by: 61))
        + [image.count - 1]
    var parsed: [Int] = []
    for n in lengths where parseAndReadAll(Data(image.prefix(n))) { parsed.append(n) }
    #expect(parsed.isEmpty, "truncations that parsed: \(parsed.prefix(10))")
    #expect(parseAndReadAll(image))
}

/// Truncated files on disk fail the whole checkpoint load with a typed error (exercises the mapped path).
@Test func truncatedCheckpointFilesAreErrors() throws {
    let image = try Data(contentsOf: fixture)
    let root = try TemporaryFolder()
    let folder = try root.copy(fixture: "tiny-gpt2")
    let weights = folder.appendingPathComponent("model.safetensors")
    var rng = SeededRandom(seed: 7)
    let lengths =
        [0, 1, 7, 8, 9, headerEnd(image) - 1, headerEnd(image), image.count - 4]
        + (0..<12).map { _ in Int.random(in: 0..<image.count, using: &rng) }
    for n in lengths {
        try Data(image.prefix(n)).write(to: weights)
        #expect(throws: GPT2Error.self, "length \(n)") { try GPT2Checkpoint.load(directory: folder) }
    }
}

/// Flipping bits anywhere in the length prefix or the header JSON either still parses (e.g. inside a metadata
/// string) and then reads in bounds, or is a typed error — never a crash. Most flips must be caught.
@Test func headerBitFlipsNeverCrash() throws {
    let image = try Data(contentsOf: fixture)
    var errors = 0, total = 0
    for position in 0..<headerEnd(image) {
        for mask: UInt8 in [0x01, 0x80] {
            var mutated = image
            mutated[position] ^= mask
            total += 1
            if !parseAndReadAll(mutated) { errors += 1 }
        }
    }
    #expect(errors > total / 2, "only \(errors) of \(total) flips were rejected")
}

/// Replacing digits of the header (shapes, offsets, the length prefix's JSON neighbours) with other digits keeps
/// the JSON valid, so these cases reach the offset/shape/overlap checks; none may crash.
@Test func headerDigitMutationsNeverCrash() throws {
    let image = try Data(contentsOf: fixture)
    let digits = (8..<headerEnd(image)).filter { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(image[$0]) }
    var rng = SeededRandom(seed: 42)
    var errors = 0
    for _ in 0..<1000 {
        var mutated = image
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            mutated[digits.randomElement(using: &rng) ?? 8] = UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng)
        }
        if !parseAndReadAll(mutated) { errors += 1 }
    }
    #expect(errors > 300, "only \(errors) of 1000 mutations were rejected")
}

/// Random bytes, with or without a plausible length prefix, are always rejected.
@Test func randomGarbageIsRejected() {
    var rng = SeededRandom(seed: 1234)
    for trial in 0..<600 {
        let count = Int.random(in: 0...4096, using: &rng)
        var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
        if trial % 2 == 0, count >= 9 {
            // A length that fits the file and a '{', so the garbage reaches the JSON parser.
            let length = UInt64.random(in: 1...UInt64(count - 8), using: &rng)
            withUnsafeBytes(of: length.littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
            bytes[8] = UInt8(ascii: "{")
        }
        #expect(!parseAndReadAll(Data(bytes)), "trial \(trial) parsed")
    }
}
