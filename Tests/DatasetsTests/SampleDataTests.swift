import Foundation
import Testing
import TestSupport

import Datasets

private func sample(_ name: String) throws -> LoadedDataset {
    try DatasetTask.e2e.load(Fixtures.repositoryRoot.appendingPathComponent("data/sample/\(name)"))
}

/// The bundled sample loads cleanly with the E2E loader, has the sizes data/README.md states, and keeps
/// its splits apart (no MR in two files).
@Test func sampleDataMatchesItsReadme() throws {
    let train = try sample("train.csv")
    let dev = try sample("dev.csv")
    let test = try sample("test.csv")
    #expect(train.skipped.isEmpty && dev.skipped.isEmpty && test.skipped.isEmpty)
    #expect((train.referenceCount, train.examples.count) == (463, 120))
    #expect((dev.referenceCount, dev.examples.count) == (53, 15))
    #expect((test.referenceCount, test.examples.count) == (100, 40))
    #expect(test.examples.allSatisfy { (2...3).contains($0.references.count) })
    let splits = [train, dev, test].map { Set($0.examples.map(\.source)) }
    #expect(splits[0].isDisjoint(with: splits[1]) && splits[0].isDisjoint(with: splits[2]))
    #expect(splits[1].isDisjoint(with: splits[2]))
    let slots: Set<String> = [
        "name", "eatType", "food", "priceRange", "customer rating", "area", "familyFriendly", "near",
    ]
    for example in train.examples + dev.examples + test.examples {
        let names = example.source.components(separatedBy: " | ").map { $0.components(separatedBy: " : ")[0] }
        #expect(names.first == "name" && Set(names).isSubset(of: slots), "\(example.source)")
    }
}
