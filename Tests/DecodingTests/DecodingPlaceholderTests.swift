import Testing

/// Placeholder so the test target builds until Decoding has tests of its own.
@Test func decodingTargetBuilds() { #expect(Bool(true)) }
