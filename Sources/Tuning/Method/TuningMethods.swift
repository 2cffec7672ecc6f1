import Foundation
import GPT2

/// One method's entry in the registry: its name and options for the command line, how its options are read
/// back from JSON, and which PEFT adapter type (if any) it reads. Each method's folder defines its entry.
public struct TuningMethodEntry: Sendable {
    public let name: String
    public let summary: String
    public let options: [MethodOption]
    /// Why `NAME+ln` is refused, or nil when LN-Tuning can be added to this method.
    let lnCombinationRefusal: String?
    /// The method from its command-line options (defaults for those not given).
    let make: @Sendable (MethodArguments) throws(TuningError) -> any TuningMethod
    /// The method from its JSON object (`{"method": …, NAME: {…}}`).
    let decode: @Sendable (KeyedDecodingContainer<MethodJSONKey>) throws -> any TuningMethod
    /// PEFT's `peft_type` for adapters of this method, and how such a folder is read.
    let peftType: String?
    let readPEFT: (@Sendable (URL, PEFTAdapterConfig, GPT2Config) throws(TuningError) -> Adapter)?

    init(
        name: String, summary: String, options: [MethodOption] = [], lnCombinationRefusal: String?,
        make: @escaping @Sendable (MethodArguments) throws(TuningError) -> any TuningMethod,
        decode: @escaping @Sendable (KeyedDecodingContainer<MethodJSONKey>) throws -> any TuningMethod,
        peftType: String? = nil,
        readPEFT: (@Sendable (URL, PEFTAdapterConfig, GPT2Config) throws(TuningError) -> Adapter)? = nil
    ) {
        self.name = name
        self.summary = summary
        self.options = options
        self.lnCombinationRefusal = lnCombinationRefusal
        self.make = make
        self.decode = decode
        self.peftType = peftType
        self.readPEFT = readPEFT
    }
}

/// The registry of tuning methods: what `--method` accepts, what adapter and checkpoint JSON names, which
/// PEFT adapter types LNTune reads. Adding a method means one folder and one line in `entries`.
public enum TuningMethods {
    /// Every method, in the order help lists them.
    public static let entries: [TuningMethodEntry] = [
        LNTuning.entry, PrefixTuning.entry, BitFit.entry, FullFineTuning.entry, LoRATuning.entry,
        BottleneckTuning.sequentialEntry, BottleneckTuning.houlsbyEntry, BottleneckTuning.parallelEntry,
        MAMTuning.entry,
    ]

    /// Every name `--method` accepts: each method, and `NAME+ln` where LN-Tuning can be added to it.
    public static var names: [String] {
        entries.flatMap { entry in
            [entry.name] + (entry.lnCombinationRefusal == nil ? [entry.name + LNCombination.suffix] : [])
        }
    }

    /// A one-line description of every name, for `--help`.
    public static var summaries: [(name: String, summary: String)] {
        names.compactMap { name in
            guard let parts = try? resolve(name) else { return nil }
            return (name, parts.map(\.summary).joined(separator: " + "))
        }
    }

    /// The method `name` with the command-line options in `words` (`["--ln-layers", "6-11"]`); options not
    /// given take the method's defaults, options of another method are refused.
    public static func configuration(named name: String, arguments words: [String] = []) throws(TuningError)
        -> TuningConfiguration
    {
        let parts = try resolve(name)
        let arguments = try MethodArguments.parse(
            words, allowed: parts.flatMap(\.options), known: optionOwners, method: name)
        var methods: [any TuningMethod] = []
        for part in parts { methods.append(try part.make(arguments)) }
        return TuningConfiguration(combine(methods))
    }

    /// The method's default configuration (the paper settings).
    public static func defaults(named name: String) throws(TuningError) -> TuningConfiguration {
        try configuration(named: name)
    }

    static func decode(name: String, from container: KeyedDecodingContainer<MethodJSONKey>) throws -> any TuningMethod {
        combine(try resolve(name).map { try $0.decode(container) })
    }

    static func entry(peftType: String) -> TuningMethodEntry? { entries.first { $0.peftType == peftType } }

    /// The names whose adapters are LNTune's own layouts (no single PEFT type holds them).
    static var ownLayoutNames: [String] {
        names.filter { name in
            ((try? resolve(name)) ?? []).count != 1 || entries.first { $0.name == name }?.peftType == nil
        }
    }

    /// Option name → the `--method` names that take it (`ln-terms` → `ln or prefix+ln`).
    static var optionOwners: [String: String] {
        var owners: [String: [String]] = [:]
        for name in names {
            for option in (try? resolve(name))?.flatMap(\.options) ?? [] {
                owners[option.name, default: []].append(name)
            }
        }
        return owners.mapValues { $0.joined(separator: " or ") }
    }

    /// The entries a name stands for: one, or a method and LN-Tuning (`prefix+ln`).
    static func resolve(_ name: String) throws(TuningError) -> [TuningMethodEntry] {
        func entry(_ part: String) throws(TuningError) -> TuningMethodEntry {
            guard let entry = entries.first(where: { $0.name == part }) else {
                throw .invalidOption(
                    name: "method", value: name, hint: "expected one of " + names.joined(separator: ", "))
            }
            return entry
        }
        guard name.hasSuffix(LNCombination.suffix) else { return [try entry(name)] }
        let base = try entry(String(name.dropLast(LNCombination.suffix.count)))
        if let refusal = base.lnCombinationRefusal { throw .invalidOption(name: "method", value: name, hint: refusal) }
        return [base, LNTuning.entry]
    }

    private static func combine(_ methods: [any TuningMethod]) -> any TuningMethod {
        guard methods.count == 2, let ln = methods[1] as? LNTuning else { return methods[0] }
        return LNCombination(base: methods[0], ln: ln)
    }
}
