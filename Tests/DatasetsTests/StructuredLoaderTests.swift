import Foundation
import Testing
import TestSupport

import Datasets

private func fixture(_ name: String) -> URL { Fixtures.url("datasets/\(name)") }

/// A WebNLG folder loads every XML below it in path order; only `good` lexicalisations are references,
/// an entry with only `toFix` ones is filtered (and counted), triples keep underscores and quotes, XML
/// escapes are resolved, and category with seen/unseen is kept.
@Test func webnlgFolderExcerpt() throws {
    let data = try DatasetTask.webnlg.load(fixture("webnlg/train"))
    #expect(
        data.examples.map(\.id) == [
            "1triples/1triple_Airport_train#Id1", "2triples/2triples_Artist_train#Id1",
        ])
    #expect(data.examples[0].source == " | Fenwick_Field : runwayLength : 1200.5")
    #expect(
        data.examples[0].references == [
            "Fenwick Field has a runway 1200.5 metres long.", "The runway of Fenwick Field is 1200.5 long.",
        ])
    #expect(
        data.examples[1].source
            == " | Ida_Marsh : genre : Rhythm_&_Blues | Ida_Marsh : birthPlace : \"Port Ellen, Islay\"")
    #expect(data.examples[1].references[0] == "Ida Marsh, born in Port Ellen, Islay, sings rhythm & blues.")
    #expect(data.examples[0].metadata["category"] == "Airport" && data.examples[0].metadata["seen"] == "seen")
    #expect(data.examples[1].metadata["category"] == "Artist" && data.examples[1].metadata["seen"] == "unseen")
    #expect(data.filtered.values.reduce(0, +) == 1)
    #expect(data.trainingPairs().count == 4)
}

/// Li & Liang's JSON layout of the same entries yields the same sources and references as the XML.
@Test func webnlgJSONMatchesXML() throws {
    let json = try DatasetTask.webnlg.load(fixture("webnlg/dev-excerpt.json"))
    let xml = try DatasetTask.webnlg.load(fixture("webnlg/train"))
    #expect(json.examples.map(\.source) == xml.examples.map(\.source))
    #expect(json.examples.map(\.references) == xml.examples.map(\.references))
    #expect(json.examples.map(\.id) == ["dev-excerpt-1", "dev-excerpt-3"])
    #expect(json.filtered == xml.filtered)
}

/// DART JSON and XML give `s : p : o | …` with lower-cased properties and every annotation as a reference;
/// the XML's empty `<lex />` is an error naming its line, or skipped and reported.
@Test func dartExcerpts() throws {
    let json = try DatasetTask.dart.load(fixture("dart/dev-excerpt.json"))
    #expect(
        json.examples.map(\.source) == [
            "Harwood Academy : founded : 1911 | Harwood Academy : location : Tillbury, Maine",
            "[TABLECONTEXT] : [title] : Greta Lind | [TABLECONTEXT] : role : Narrator",
        ])
    #expect(json.examples.map(\.references.count) == [1, 2])
    #expect(json.examples[0].metadata["sources"] == "WikiSQL_decl_sents")
    #expect(json.examples[0].metadata["subtree_was_extended"] == "true")
    let url = fixture("dart/test-excerpt.xml")
    #expect(throws: DatasetError.emptyField(file: url.path, line: 18, field: "lex")) {
        try DatasetTask.dart.load(url)
    }
    let xml = try DatasetTask.dart.load(url, onBadRow: .skip)
    #expect(xml.examples.map(\.source) == json.examples.map(\.source))
    #expect(
        xml.examples[1].references == [
            "Greta Lind was the narrator.", "The narrator was played by Greta Lind's character.",
        ])
    #expect(xml.skipped == [.emptyField(file: url.path, line: 18, field: "lex")])
}

/// DialogSum train/dev records have one `summary`; test records `summary1..3` give three references.
@Test func dialogsumLayouts() throws {
    let train = try DatasetTask.dialogsum.load(fixture("dialogsum/train-excerpt.jsonl"))
    #expect(train.examples.map(\.id) == ["train_0", "train_1"])
    #expect(train.examples[1].source == "#Person1#: I ' Ve lost my umbrella.\n#Person2#: Check the lost and found.")
    #expect(train.examples[0].metadata["topic"] == "bakery hours")
    let test = try DatasetTask.dialogsum.load(fixture("dialogsum/test-excerpt.jsonl"))
    #expect(test.examples.count == 1)
    #expect(
        test.examples[0].references == [
            "#Person1# can pay by card.", "#Person2# accepts any card from #Person1#.",
            "Cards are accepted, #Person2# says.",
        ])
}

/// The released SAMSum layout (ids, CRLF turns) and the InstructDS-derived one (instruction, LF turns)
/// give the same sources and references.
@Test func samsumLayouts() throws {
    let release = try DatasetTask.samsum.load(fixture("samsum/release-excerpt.json"))
    let derived = try DatasetTask.samsum.load(fixture("samsum/instructds-excerpt.json"))
    #expect(release.examples.map(\.id) == ["13700001", "13700002"])
    #expect(derived.examples.map(\.id) == ["instructds-excerpt-1", "instructds-excerpt-2"])
    #expect(release.examples.map(\.source) == derived.examples.map(\.source))
    #expect(release.examples.map(\.references) == derived.examples.map(\.references))
    #expect(
        release.examples[0].source == "Maja: did you take my charger?\nOlek: yes sorry\nOlek: I'll bring it tonight")
}

/// Generic JSONL accepts `target` or `references`, groups identical sources, keeps given ids, and ignores
/// a blank last line.
@Test func jsonlGeneric() throws {
    let data = try DatasetTask.jsonl.load(fixture("jsonl/mixed.jsonl"))
    #expect(data.examples.map(\.id) == ["mixed-1", "sq-1", "mixed-3"])
    #expect(data.examples[0].references == ["A red circle.", "A circle, coloured red."])
    #expect(data.examples[1].references == ["A blue square.", "A square that is blue."])
    #expect(data.examples[2].source == "data containing <|endoftext|> literally")
}
