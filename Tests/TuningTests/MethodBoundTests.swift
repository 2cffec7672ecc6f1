import Testing

@testable import Tuning

/// Every numeric option of LoRA and the bottleneck adapters states its range in `lntune train --help`, and a
/// value outside it (or not a number) is refused naming the option — the CLI's `NumericBound` contract for
/// the options the Tuning target parses.
@Test(arguments: [
    ("lora", "lora-r", ["0", "-1", "4097", "2.5", "x"]),
    ("lora", "lora-alpha", ["0", "-8", "1e7", "nan", "inf"]),
    ("lora", "lora-dropout", ["-0.1", "1", "2", "nan"]),
    ("adapter", "adapter-reduction-factor", ["0", "-16", "1e30", "inf"]),
    ("mam", "adapter-reduction-factor", ["0", "100000"]),
])
func numericMethodOptionsAreBounded(method: String, option: String, values: [String]) throws {
    let entry = try #require(TuningMethods.entries.first { $0.name == method })
    let declared = try #require(entry.options.first { $0.name == option })
    #expect(declared.help.contains("Range: "), "--\(option): \(declared.help)")
    for value in values {
        do {
            _ = try TuningMethods.configuration(named: method, arguments: ["--\(option)", value])
            Issue.record("--\(option) \(value) was accepted")
        } catch {
            #expect(error.description.contains("--\(option)"), "\(error)")
        }
    }
}

/// The ends of each range: included ends parse, excluded ones do not.
@Test func rangeEndsAreAsStated() throws {
    #expect(LoRAOptions.rankBound.rangeText == "1 to 4,096")
    #expect(LoRAOptions.dropoutBound.rangeText == "at least 0, less than 1")
    #expect(BottleneckOptions.reductionFactorBound.rangeText == "more than 0, at most 65,536")
    _ = try TuningMethods.configuration(named: "lora", arguments: ["--lora-r", "4096", "--lora-dropout", "0"])
    _ = try TuningMethods.configuration(named: "adapter", arguments: ["--adapter-reduction-factor", "65536"])
}
