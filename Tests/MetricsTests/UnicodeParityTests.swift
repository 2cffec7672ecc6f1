import Foundation
import Metrics
import TestSupport
import Testing

struct UnicodeTables: Decodable, Sendable {
    var pythonUnicode: String
    var regexVersion: String
    var space: [UInt32]
    var punctuation: [[UInt32]]
    var symbol: [[UInt32]]
    var number: [[UInt32]]
    var lowercase: [LowercaseEntry]
    var sigmaInputs: [String]
    var sigmaOutputs: [String]

    /// `[code point, [lowercase code points]]`.
    struct LowercaseEntry: Decodable, Sendable {
        var scalar: UInt32
        var lower: [UInt32]
        init(from decoder: Decoder) throws {
            var container = try decoder.unkeyedContainer()
            scalar = try container.decode(UInt32.self)
            lower = try container.decode([UInt32].self)
        }
    }
}

private let unicodeTables = FixtureTable<UnicodeTables>("metrics/unicode.json")

/// Every scalar value (surrogates excluded).
private let allScalars: [UInt32] = (0..<0x11_0000).compactMap { Unicode.Scalar(UInt32($0))?.value }

private func membership(_ ranges: [[UInt32]]) -> Set<UInt32> {
    var set = Set<UInt32>()
    for range in ranges { for c in range[0]...range[1] { set.insert(c) } }
    return set
}

struct UnicodeParityTests {
    /// `PythonText.isSpace` is exactly Python's `str.isspace` over all code points.
    @Test func whitespaceMatchesPython() throws {
        let tables = try unicodeTables.value()
        let python = Set(tables.space)
        let mismatches = allScalars.filter { PythonText.isSpace($0) != python.contains($0) }
        #expect(mismatches.isEmpty, "differs at \(mismatches.prefix(10).map { String($0, radix: 16) })")
    }

    /// Per-character `lower()` equals Python 3.11's (Unicode 14) for every code point but Σ, whose
    /// context rule is checked separately.
    @Test func lowercaseMatchesPython() throws {
        let tables = try unicodeTables.value()
        var expected = [UInt32: [UInt32]]()
        for entry in tables.lowercase { expected[entry.scalar] = entry.lower }
        var mismatches = [UInt32]()
        for c in allScalars where c != 0x3A3 {
            if PythonText.lowercased([c]) != (expected[c] ?? [c]) { mismatches.append(c) }
        }
        #expect(mismatches.isEmpty, "differs at \(mismatches.prefix(10).map { String($0, radix: 16) })")
    }

    /// Σ lowercases to ς exactly in CPython's Final_Sigma context.
    @Test func finalSigmaMatchesPython() throws {
        let tables = try unicodeTables.value()
        #expect(!tables.sigmaInputs.isEmpty && tables.sigmaInputs.count == tables.sigmaOutputs.count)
        for (input, output) in zip(tables.sigmaInputs, tables.sigmaOutputs) {
            #expect(PythonText.string(PythonText.lowercased(PythonText.scalars(input))) == output, "\(input)")
        }
    }

    /// `\p{P}`, `\p{S}`, `\p{N}` from Swift's general categories agree with the `regex` module on every
    /// character Swift's Unicode version assigns; the only differences are characters Swift does not
    /// know yet (newer Unicode in `regex`), which are listed and must all be unassigned in Swift.
    @Test func categoriesMatchRegexModuleOnAssignedCharacters() throws {
        let tables = try unicodeTables.value()
        let p = membership(tables.punctuation), s = membership(tables.symbol), n = membership(tables.number)
        var unassignedDifferences = 0
        var assignedDifferences = [UInt32]()
        for c in allScalars {
            let same =
                UnicodeClasses.isPunctuation(c) == p.contains(c) && UnicodeClasses.isSymbol(c) == s.contains(c)
                && UnicodeClasses.isNumber(c) == n.contains(c)
            if same { continue }
            if Unicode.Scalar(c)?.properties.generalCategory == .unassigned {
                unassignedDifferences += 1
            } else {
                assignedDifferences.append(c)
            }
        }
        #expect(
            assignedDifferences.isEmpty, "differs at \(assignedDifferences.prefix(10).map { String($0, radix: 16) })")
        print(
            "intl categories: \(unassignedDifferences) code points differ, all unassigned in Swift's Unicode "
                + "tables (regex \(tables.regexVersion) knows a newer Unicode)")
    }
}
