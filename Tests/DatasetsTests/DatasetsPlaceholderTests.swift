import Testing

/// Placeholder so the test target builds until Datasets has tests of its own.
@Test func datasetsTargetBuilds() { #expect(Bool(true)) }
