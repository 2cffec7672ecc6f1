import Foundation
import Testing
import TestSupport

import Datasets

/// The real datasets live in `../shared/datasets`; without them these tests are reported as skipped.
private let realData = Fixtures.needsShared("datasets", for: "real-data counts")

/// `../shared/datasets/<path>`.
private func shared(_ path: String) throws -> URL {
    try #require(Fixtures.sharedFile("datasets/\(path)"))
}

/// Row and MR counts of the four E2E CSVs match shared/datasets/README.md (42,061/4,862, 4,672/547,
/// 4,693/630), and `testset.csv` lists the 630 MRs in first-appearance order of `testset_w_refs.csv`.
@Test(realData) func e2eRealCounts() throws {
    let folder = try shared("e2e")
    let expected = [("trainset.csv", 42_061, 4_862), ("devset.csv", 4_672, 547), ("testset_w_refs.csv", 4_693, 630)]
    for (name, rows, mrs) in expected {
        let data = try DatasetTask.e2e.load(folder.appendingPathComponent(name))
        #expect(data.referenceCount == rows, "\(name)")
        #expect(data.examples.count == mrs, "\(name)")
        #expect(data.skipped.isEmpty)
    }
    let inputs = try DatasetTask.e2e.load(folder.appendingPathComponent("testset.csv"))
    let withRefs = try DatasetTask.e2e.load(folder.appendingPathComponent("testset_w_refs.csv"))
    #expect(inputs.examples.map(\.source) == withRefs.examples.map(\.source))
    let train = try DatasetTask.e2e.load(folder.appendingPathComponent("trainset.csv"))
    // The two references with an embedded CRLF (rows 15,765 and 32,410) survive as single references.
    #expect(train.examples.flatMap(\.references).filter { $0.contains("\r\n") }.count == 2)
    #expect(
        train.examples[0].source
            == "name : The Vaults | eatType : pub | priceRange : more than £30 | customer rating : 5 out of 5"
            + " | near : Café Adriatic"
    )
}

/// Li & Liang's derived files group into the same MR sets, in the same order, as the CSVs.
@Test(realData) func e2ePrefixTuningFilesMatchCSVGrouping() throws {
    let folder = try shared("e2e")
    for (derived, csv, groups) in [("src1_valid.txt", "devset.csv", 547), ("src1_test.txt", "testset_w_refs.csv", 630)]
    {
        let pt = try DatasetTask.e2ePrefixTuning.load(folder.appendingPathComponent("prefixtuning-format/\(derived)"))
        let original = try DatasetTask.e2e.load(folder.appendingPathComponent(csv))
        #expect(pt.examples.count == groups)
        #expect(pt.examples.map(\.references.count) == original.examples.map(\.references.count))
    }
}

/// WebNLG entry and `comment="good"` counts (train 6,940 entries / 18,025 good, dev 872 / 2,258, test
/// 1,862 / 4,928, unseen 891 / 2,433); entries whose lexicalisations are all toFix are counted as filtered.
@Test(realData) func webnlgRealCounts() throws {
    let folder = try shared("webnlg2017")
    let train = try DatasetTask.webnlg.load(folder.appendingPathComponent("train"))
    #expect(train.examples.count + (train.filtered.values.first ?? 0) == 6_940)
    #expect(train.referenceCount == 18_025)
    #expect(Set(train.examples.compactMap { $0.metadata["category"] }).count == 10)
    #expect(train.examples.allSatisfy { $0.metadata["seen"] == "seen" })
    let dev = try DatasetTask.webnlg.load(folder.appendingPathComponent("dev"))
    #expect(dev.examples.count + (dev.filtered.values.first ?? 0) == 872)
    #expect(dev.referenceCount == 2_258)
    let test = try DatasetTask.webnlg.load(folder.appendingPathComponent("test/testdata_with_lex.xml"))
    #expect(test.examples.count == 1_862)
    #expect(test.referenceCount == 4_928)
    #expect(test.examples.filter { $0.metadata["seen"] == "unseen" }.count == 891)
    let unseen = try DatasetTask.webnlg.load(folder.appendingPathComponent("test/testdata_unseen_with_lex.xml"))
    #expect(unseen.examples.count == 891 && unseen.referenceCount == 2_433)
    let inputs = try DatasetTask.webnlg.load(folder.appendingPathComponent("test/testdata_no_lex.xml"))
    #expect(inputs.examples.count == 1_862 && inputs.referenceCount == 0)
    #expect(inputs.examples.map(\.source) == test.examples.map(\.source))
}

/// Li & Liang's `dev.json` and the dev XML files give the same examples in the same order — evidence that
/// the XML path reproduces their linearisation and their reference filter.
@Test(realData) func webnlgDevJSONEqualsDevXML() throws {
    let folder = try shared("webnlg2017")
    let json = try DatasetTask.webnlg.load(folder.appendingPathComponent("dev.json"))
    let xml = try DatasetTask.webnlg.load(folder.appendingPathComponent("dev"))
    #expect(json.examples.count == xml.examples.count)
    #expect(json.examples.map(\.source) == xml.examples.map(\.source))
    #expect(json.examples.map(\.references) == xml.examples.map(\.references))
    #expect(json.filtered == xml.filtered)
    #expect(json.examples[1].source == " | Aarhus_Airport : runwayLength : 2702.0")
}

/// DART dev: 2,768 triplesets / 6,980 references in both JSON versions and the XML; test XML: 5,097 /
/// 12,552 annotations of which one is empty — an error naming its line by default, skipped and counted
/// under `.skip`.
@Test(realData) func dartRealCounts() throws {
    let folder = try shared("dart")
    let dev2020 = try DatasetTask.dart.load(folder.appendingPathComponent("v1.1.1-2020-07/dart-v1.1.1-full-dev.json"))
    let dev2021 = try DatasetTask.dart.load(folder.appendingPathComponent("v1.1.1-2021-04/dart-v1.1.1-full-dev.json"))
    let devXML = try DatasetTask.dart.load(folder.appendingPathComponent("v1.1.1-2021-04/dart-v1.1.1-full-dev.xml"))
    for data in [dev2020, dev2021, devXML] {
        #expect(data.examples.count == 2_768 && data.referenceCount == 6_980)
    }
    #expect(dev2020.examples.map(\.source) == devXML.examples.map(\.source))
    #expect(dev2020.examples.map(\.references) == dev2021.examples.map(\.references))
    #expect(
        dev2020.examples[0].source
            == "Mars Hill College : joined : 1973 | Mars Hill College : location : Mars Hill, North Carolina")
    let testURL = folder.appendingPathComponent("v1.1.1-2021-04/dart-v1.1.1-full-test.xml")
    #expect(throws: DatasetError.emptyField(file: testURL.path, line: 888, field: "lex")) {
        try DatasetTask.dart.load(testURL)
    }
    let test = try DatasetTask.dart.load(testURL, onBadRow: .skip)
    #expect(test.examples.count == 5_097)
    #expect(test.referenceCount == 12_551)
    #expect(test.skipped == [.emptyField(file: testURL.path, line: 888, field: "lex")])
}

/// DialogSum: dev 500 single references, test 500 × 3 references, the converted pre-release train 12,460,
/// hidden test 100 inputs without summaries. SAMSum derived copies: test 819, validation 818.
@Test(realData) func dialogueRealCounts() throws {
    let folder = try shared("dialogsum")
    let dev = try DatasetTask.dialogsum.load(folder.appendingPathComponent("dialogsum.dev.jsonl"))
    #expect(dev.examples.count == 500 && dev.referenceCount == 500)
    let test = try DatasetTask.dialogsum.load(folder.appendingPathComponent("dialogsum.test.jsonl"))
    #expect(test.examples.count == 500 && test.examples.allSatisfy { $0.references.count == 3 })
    let train = try DatasetTask.dialogsum.load(
        folder.appendingPathComponent("prerelease-2021-05/dialogsum.train.jsonl"))
    #expect(train.examples.count == 12_460 && train.examples.last?.id == "train_12459")
    let hidden = try DatasetTask.dialogsum.load(folder.appendingPathComponent("dialogsum.hiddentest.dialogue.jsonl"))
    #expect(hidden.examples.count == 100 && hidden.referenceCount == 0)
    let samsum = try shared("samsum/instructds-derived")
    let samsumTest = try DatasetTask.samsum.load(samsum.appendingPathComponent("test.json"))
    let samsumValidation = try DatasetTask.samsum.load(samsum.appendingPathComponent("validation.json"))
    #expect(samsumTest.examples.count == 819 && samsumValidation.examples.count == 818)
    #expect(samsumTest.examples[0].source.hasPrefix("Hannah: Hey, do you have Betty's number?\nAmanda: Lemme check"))
}
