import Testing

extension Fixtures {
    /// Skips a test that reads `../shared/<path>` when ../shared is absent; Swift Testing reports it as skipped
    /// with this one message, so the core suite passes without the real data and says what it did not check.
    ///
    ///     @Test(Fixtures.needsShared("gpt2", for: "the real GPT-2 vocabulary")) func … { }
    public static func needsShared(_ path: String, for purpose: String) -> ConditionTrait {
        .enabled(if: shared != nil, Comment(rawValue: "needs ../shared/\(path) (\(purpose)), and ../shared is absent"))
    }
}
