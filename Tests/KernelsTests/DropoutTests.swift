import Testing

import Kernels

/// A zero rate is no dropout at all (nil), not a mask that happens to keep everything.
@Test func zeroRateIsNoDropout() {
    #expect(DropoutMask(rate: 0, key: 1) == nil)
    #expect(DropoutMask(rate: 0.1, key: 1) != nil)
}

/// Kept values are scaled by 1/(1 − rate), dropped ones are exactly 0, the kept fraction is 1 − rate within
/// five standard deviations, and different sites and keys draw different masks.
@Test(arguments: [Float(0.1), 0.25, 0.5])
func keptFractionAndScale(rate: Float) throws {
    let mask = try #require(DropoutMask(rate: rate, key: 0xDEAD_BEEF))
    let n = 200_003
    var x = (0..<n).map { Float($0 % 97) + 1 }
    let original = x
    x.withUnsafeMutableBufferPointer { mask.apply($0.baseAddress!, count: n) }
    var kept = 0
    for i in 0..<n {
        if x[i] == 0 {
            #expect(!mask.keeps(i))
        } else {
            kept += 1
            #expect(mask.keeps(i) && x[i] == original[i] * (1 / (1 - rate)))
        }
    }
    let p = Double(1 - rate)
    let sigma = (Double(n) * p * (1 - p)).squareRoot()
    #expect(abs(Double(kept) - Double(n) * p) < 5 * sigma, "kept \(kept) of \(n)")
    let other = mask.site(1)
    #expect((0..<256).contains { other.keeps($0) != mask.keeps($0) })
    #expect(mask.site(1) == mask.site(1))
}

/// The mask depends only on the element's index: applying it to a buffer in two pieces (`firstIndex`)
/// or whole, on one thread or two, gives the same values.
@Test func maskDependsOnlyOnTheIndex() throws {
    let mask = try #require(DropoutMask(rate: 0.3, key: 42))
    let n = 150_001
    var whole = [Float](repeating: 1, count: n)
    var pieces = whole
    whole.withUnsafeMutableBufferPointer { mask.apply($0.baseAddress!, count: n) }
    pieces.withUnsafeMutableBufferPointer { b in
        mask.apply(b.baseAddress!, count: 777)
        mask.apply(b.baseAddress! + 777, count: n - 777, firstIndex: 777)
    }
    #expect(whole == pieces)
}
