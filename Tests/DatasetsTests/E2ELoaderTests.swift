import Foundation
import Testing
import TestSupport

import Datasets

private func fixture(_ name: String) -> URL { Fixtures.url("datasets/\(name)") }

/// The CSV reader handles CRLF records, quoted commas, doubled quotes and an embedded CRLF, groups the
/// non-contiguous rows of one MR in order of first appearance, and counts physical lines.
@Test func e2eTrainExcerptGroupsAndParsesQuoting() throws {
    let data = try DatasetTask.e2e.load(fixture("e2e/train-excerpt.csv"))
    #expect(data.skipped.isEmpty)
    #expect(data.examples.map(\.id) == ["train-excerpt-1", "train-excerpt-2", "train-excerpt-3"])
    #expect(
        data.examples.map(\.source) == [
            "name : The Quill | eatType : pub | priceRange : more than £30",
            "name : Juniper | area : riverside",
            "name : Café Ondine | food : French | customer rating : 5 out of 5",
        ])
    #expect(
        data.examples[0].references == [
            "The Quill is a pub with high prices.",
            "A pricey pub, The Quill, says \"welcome\".",
            "The Quill charges more than £30.",
        ])
    #expect(data.examples[1].references == ["Juniper sits by the river.\r\nIt has two lines."])
    // References are kept verbatim, surrounding and double spaces included.
    #expect(data.examples[2].references == [" Café Ondine serves  French food. "])
    // Line 7: the embedded CRLF of the Juniper row occupies physical lines 4 and 5.
    #expect(data.examples.map { $0.metadata["line"] } == ["2", "4", "7"])
    #expect(data.examples[0].metadata["mr"] == "name[The Quill], eatType[pub], priceRange[more than £30]")
    #expect(data.trainingPairs().count == 5)
    #expect(
        data.trainingPairs()[1]
            == TrainingPair(
                id: "train-excerpt-1#2", source: data.examples[0].source,
                target: "A pricey pub, The Quill, says \"welcome\"."))
}

/// `testset_w_refs.csv` quotes every field and uses LF; `testset.csv` has the upper-case `MR` header and
/// no references, and lists the MRs in the same order.
@Test func e2eTestLayouts() throws {
    let withRefs = try DatasetTask.e2e.load(fixture("e2e/test-with-refs.csv"))
    #expect(withRefs.examples.map(\.references.count) == [2, 1])
    let inputs = try DatasetTask.e2e.load(fixture("e2e/test-inputs.csv"))
    #expect(inputs.examples.map(\.source) == withRefs.examples.map(\.source))
    #expect(inputs.examples.allSatisfy { $0.references.isEmpty })
    #expect(inputs.trainingPairs().isEmpty)
    #expect(inputs.examples[1].source == "name : Brass Lantern | eatType : coffee shop | familyFriendly : yes")
}

/// Li & Liang's `SOURCE||TARGET` files load byte for byte (trailing space kept), grouped by source.
@Test func e2ePrefixTuningFormat() throws {
    let data = try DatasetTask.e2ePrefixTuning.load(fixture("e2e/src1_excerpt.txt"))
    #expect(data.examples.count == 2)
    #expect(data.examples[0].source == "name : Juniper | Type : pub | price : £ 20 - 25")
    #expect(
        data.examples[0].references == [
            "Juniper is a pub with prices of £ 20 - 25 . ", "The pub Juniper costs £ 20 - 25 . ",
        ])
    #expect(data.examples[1].metadata["line"] == "3")
}

/// A header other than `mr,ref` / `MR` is a file error under both policies, naming line 1.
@Test(arguments: OnBadRow.allCases)
func e2eWrongHeaderIsFatal(policy: OnBadRow) throws {
    let folder = try TemporaryFolder()
    let url = try folder.write("meaning,text\n\"name[A]\",B\n", to: "header.csv")
    #expect(
        throws: DatasetError.wrongHeader(
            file: url.path, line: 1, found: "meaning,text", expected: "mr,ref or MR (case-insensitive)")
    ) {
        try DatasetTask.e2e.load(url, onBadRow: policy)
    }
}
