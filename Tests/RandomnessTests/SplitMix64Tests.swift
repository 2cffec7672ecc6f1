import Testing

import Randomness

/// Published SplitMix64 outputs: seed 1234567 from Rosetta Code ("Pseudo-random numbers/Splitmix64"), seed 0
/// from Vigna's reference `splitmix64.c`.
private let referenceOutputs: [(seed: UInt64, outputs: [UInt64])] = [
    (
        1_234_567,
        [
            6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
            4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
        ]
    ),
    (
        0,
        [
            0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F, 0xF88B_B8A8_724C_81EC,
            0x1B39_896A_51A8_749B,
        ]
    ),
]

/// The stream equals the reference implementation's: the first five outputs for each published seed.
@Test(arguments: referenceOutputs)
func firstOutputsMatchReference(seed: UInt64, expected: [UInt64]) {
    var generator = SplitMix64(seed: seed)
    #expect((0..<expected.count).map { _ in generator.next() } == expected)
}

/// A generator rebuilt from its `state` as a training checkpoint stores it (hex text, because JSON numbers
/// cannot carry 64 bits) equals the original and continues the same stream, draw for draw.
@Test(arguments: [UInt64(0), 42, 1_234_567, .max])
func restoredStateContinuesTheStream(seed: UInt64) throws {
    var original = SplitMix64(seed: seed)
    for _ in 0..<37 { _ = original.next() }
    let saved = String(original.state, radix: 16)
    var restored = SplitMix64(state: try #require(UInt64(saved, radix: 16)))
    #expect(restored == original)
    let expected = (0..<100).map { _ in original.next() }
    #expect((0..<100).map { _ in restored.next() } == expected)
    #expect(restored.state == original.state)
}

/// `next(below:)` stays in `0..<bound` for bounds from 1 to `Int.max`, and reaches both ends of a small range.
@Test(arguments: [1, 2, 3, 7, 10, 1000, 1 << 40, 3 << 61, Int.max])
func boundedDrawsStayInRange(bound: Int) {
    var generator = SplitMix64(seed: UInt64(bound))
    let draws = (0..<2_000).map { _ in generator.next(below: bound) }
    #expect(draws.allSatisfy { (0..<bound).contains($0) })
    if bound <= 10 { #expect(Set(draws) == Set(0..<bound)) }
}

/// `next(below:)` is unbiased where a shortcut would show. With bound b = 3·2^61 (so 2^64 = 2b + 2^62), plain
/// `next() % b` gives the values below 2^62 probability 3/4 instead of 2/3, and the multiply-shift without its
/// rejection step gives the results ≡ 2 (mod 3) probability 1/4 instead of 1/3. Here every share must be the
/// uniform one (± 0.02, about seven standard deviations for 30,000 draws).
@Test func boundedDrawsAreUnbiased() {
    let bound = 3 << 61
    var generator = SplitMix64(seed: 2024)
    let draws = (0..<30_000).map { _ in generator.next(below: bound) }
    let n = Double(draws.count)
    let belowTwoThirds = Double(draws.filter { $0 < 1 << 62 }.count) / n
    #expect(abs(belowTwoThirds - 2.0 / 3) < 0.02, "P(x < 2^62) = \(belowTwoThirds)")
    for residue in 0..<3 {
        let share = Double(draws.filter { $0 % 3 == residue }.count) / n
        #expect(abs(share - 1.0 / 3) < 0.02, "P(x ≡ \(residue) mod 3) = \(share)")
    }
}

/// Over a small bound the counts fit the uniform distribution: Pearson's χ² over 6 cells with 60,000 draws
/// stays below 20.5, the 0.1 % critical value for 5 degrees of freedom.
@Test func smallBoundPassesChiSquare() {
    var generator = SplitMix64(seed: 7)
    var counts = [Int](repeating: 0, count: 6)
    for _ in 0..<60_000 { counts[generator.next(below: 6)] += 1 }
    let expected = 10_000.0
    let chiSquare = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    #expect(chiSquare < 20.5, "counts \(counts), χ² = \(chiSquare)")
}

/// `nextUnit()` is the top 53 bits of one draw scaled into [0, 1).
@Test func unitIntervalUsesTheTop53Bits() {
    var units = SplitMix64(seed: 1_234_567), raw = SplitMix64(seed: 1_234_567)
    for _ in 0..<1_000 {
        let u = units.nextUnit()
        #expect(u == Double(raw.next() >> 11) * 0x1p-53)
        #expect(u >= 0 && u < 1)
    }
}
