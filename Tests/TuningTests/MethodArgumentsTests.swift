import Testing
import Tuning

/// `TuningMethods.configuration` for `method` and its command-line words (shared by the method option tests).
func parseMethod(_ method: String, _ words: String...) throws(TuningError) -> TuningConfiguration {
    try TuningMethods.configuration(named: method, arguments: words)
}

/// The message of the error `body` throws (empty when it throws none).
func parseFailure(_ body: () throws(TuningError) -> TuningConfiguration) -> String {
    do {
        _ = try body()
        return ""
    } catch {
        return error.description
    }
}

/// A method's command-line options parse into its configuration, in both `--name value` and `--name=value`
/// forms; what is not given takes the method's defaults.
@Test func methodOptionsParse() throws {
    #expect(try parseMethod("ln") == .ln(LNTuningOptions()))
    #expect(
        try parseMethod("ln", "--ln-terms", "bias", "--ln-modules=attn,final", "--ln-layers", "1-2")
            == .ln(LNTuningOptions(terms: [.bias], modules: [.attn, .final], layers: 1...2)))
    #expect(
        try parseMethod("prefix+ln", "--ln-terms", "gain", "--prefix-length", "5", "--prefix-direct")
            == .prefixLN(
                prefix: PrefixTuningOptions(virtualTokens: 5, projection: .direct), ln: LNTuningOptions(terms: [.gain]))
    )
    #expect(
        try parseMethod("prefix", "--prefix-hidden", "64") == .prefix(PrefixTuningOptions(projection: .mlp(hidden: 64)))
    )
    #expect(try parseMethod("bitfit") == .bitfit && parseMethod("full") == .full)
}

/// Options of another method, unknown or repeated options, a missing value and combinations that make no
/// sense are refused with a message naming the option and what to do — never ignored.
@Test func badMethodOptionsAreRefused() {
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("ia3") }.contains(
            "expected one of ln, prefix, prefix+ln"))
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("bitfit", "--ln-terms", "bias") }.contains(
            "needs --method ln or prefix+ln"))
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("ln", "--prefix-length", "3") }.contains(
            "prefix or prefix+ln"))
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("prefix", "--prefix-hidden", "8", "--prefix-direct") }
            .contains(
                "without the MLP"))
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("ln", "--ln-layers", "3-1") }.contains("ln-layers"))
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("ln", "--ln-tems", "bias") }.contains(
            "unknown option '--ln-tems'"))
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("ln", "--ln-terms", "bias", "--ln-terms", "gain") }
            .contains(
                "given twice"))
    #expect(parseFailure { () throws(TuningError) in try parseMethod("ln", "--ln-terms") }.contains("needs a value"))
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("prefix", "--prefix-length", "ten") }.contains(
            "whole number"))
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("prefix", "--prefix-length", "0") }.contains(
            "at least 1"))
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("prefix", "extra") }.contains("expected an option"))
    #expect(
        parseFailure { () throws(TuningError) in try parseMethod("bitfit+ln") }.contains("LayerNorm biases already"))
    #expect(parseFailure { () throws(TuningError) in try parseMethod("ln+ln") }.contains("LN-Tuning already"))
}

/// The registry offers every method, and `NAME+ln` exactly where LN-Tuning can be added.
@Test func registryNamesEveryMethod() throws {
    #expect(
        TuningMethods.names == [
            "ln", "prefix", "prefix+ln", "bitfit", "full", "lora", "lora+ln", "adapter", "adapter+ln",
            "adapter-houlsby", "adapter-houlsby+ln", "par-adapter", "par-adapter+ln", "mam", "mam+ln",
        ])
    for name in TuningMethods.names {
        #expect(try TuningMethods.defaults(named: name).name == name)
    }
    #expect(TuningMethods.summaries.count == TuningMethods.names.count)
}
