import Testing

/// Placeholder so the test target builds until LNTune has tests of its own.
@Test func lntuneTargetBuilds() { #expect(Bool(true)) }
