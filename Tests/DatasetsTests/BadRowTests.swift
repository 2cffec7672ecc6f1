import Foundation
import TestSupport
import Testing

import Datasets

/// One deliberately broken input: what the default policy must throw, and what `.skip` must keep.
struct BadRowCase: Sendable, CustomTestStringConvertible {
    let name: String
    let task: DatasetTask
    let fileName: String
    let bytes: [UInt8]
    /// Case name and physical line of the expected error.
    let kind: String
    let line: Int
    /// File problems throw under `.skip` too.
    let fatal: Bool
    /// Examples left under `.skip` (for row problems).
    let remaining: Int

    var testDescription: String { name }

    init(
        _ name: String, _ task: DatasetTask, _ fileName: String, _ text: String, kind: String, line: Int,
        fatal: Bool = false, remaining: Int = 0
    ) {
        self.init(name, task, fileName, Array(text.utf8), kind: kind, line: line, fatal: fatal, remaining: remaining)
    }

    init(
        _ name: String, _ task: DatasetTask, _ fileName: String, _ bytes: [UInt8], kind: String, line: Int,
        fatal: Bool = false, remaining: Int = 0
    ) {
        self.name = name
        self.task = task
        self.fileName = fileName
        self.bytes = bytes
        self.kind = kind
        self.line = line
        self.fatal = fatal
        self.remaining = remaining
    }
}

/// The error's case name and line, the two things a user needs to find the problem (broken CSV or JSON
/// syntax, reported by TextIO, counts as `malformed` like any other broken file structure).
func kindAndLine(_ error: DatasetError) -> (String, Int) {
    switch error {
    case .input(.invalidUTF8(_, let line, _, _)): return ("invalidUTF8", line)
    case .malformed(_, let line, _), .input(.malformedCSV(_, let line, _)), .input(.malformedJSON(_, let line, _, _)):
        return ("malformed", line)
    case .wrongHeader(_, let line, _, _): return ("wrongHeader", line)
    case .missingField(_, let line, _): return ("missingField", line)
    case .emptyField(_, let line, _): return ("emptyField", line)
    case .badValue(_, let line, _, _): return ("badValue", line)
    case .invalidTemplate(_, let line, _): return ("invalidTemplate", line)
    default: return ("other: \(error)", 0)
    }
}

private let csvHead = "mr,ref\r\n\"name[Alder], eatType[pub]\",Alder is a pub.\r\n"
private let csvTail = "\"name[Birch], area[riverside]\",Birch is by the river.\r\n"
private let jsonlGood = "{\"source\": \"a : 1\", \"target\": \"One.\"}\n"

let badRowCases: [BadRowCase] = [
    BadRowCase(
        "E2E missing ref", .e2e, "t.csv", csvHead + "\"name[Cedar]\"\r\n" + csvTail,
        kind: "missingField", line: 3, remaining: 2),
    BadRowCase(
        "E2E empty ref", .e2e, "t.csv", csvHead + "\"name[Cedar]\",   \r\n" + csvTail,
        kind: "emptyField", line: 3, remaining: 2),
    BadRowCase(
        "E2E invalid UTF-8", .e2e, "t.csv",
        Array(csvHead.utf8) + Array("\"name[Cedar]\",Caf".utf8) + [0xE9] + Array("\r\n".utf8) + Array(csvTail.utf8),
        kind: "invalidUTF8", line: 3, remaining: 2),
    BadRowCase(
        "E2E invalid UTF-8 on the 2nd line of a quoted field", .e2e, "t.csv",
        Array(csvHead.utf8) + Array("\"name[Cedar]\",\"one\r\ntwo ".utf8) + [0xC0, 0xAF] + Array("\"\r\n".utf8)
            + Array(csvTail.utf8),
        kind: "invalidUTF8", line: 4, remaining: 2),
    BadRowCase(
        "E2E unterminated quote", .e2e, "t.csv", csvHead + csvTail + "\"name[Cedar]\",\"never closed\r\nthe end\r\n",
        kind: "malformed", line: 4, fatal: true),
    BadRowCase(
        "E2E quote left open, closed by the next row", .e2e, "t.csv",
        csvHead + "\"name[Cedar]\",\"open\r\n" + csvTail + csvTail,
        kind: "malformed", line: 4, remaining: 2),
    BadRowCase(
        "E2E quote inside unquoted field", .e2e, "t.csv", csvHead + "\"name[Cedar]\",say \"hi\"\r\n" + csvTail,
        kind: "malformed", line: 3, remaining: 2),
    BadRowCase(
        "E2E text after closing quote", .e2e, "t.csv", csvHead + "\"name[Cedar]\",\"Cedar\"x\r\n" + csvTail,
        kind: "malformed", line: 3, remaining: 2),
    BadRowCase(
        "E2E three fields", .e2e, "t.csv", csvHead + "\"name[Cedar]\",Cedar,extra\r\n" + csvTail,
        kind: "malformed", line: 3, remaining: 2),
    BadRowCase(
        "E2E MR without brackets", .e2e, "t.csv", csvHead + "\"name[Cedar], eatType\",Cedar.\r\n" + csvTail,
        kind: "badValue", line: 3, remaining: 2),
    BadRowCase("E2E empty file", .e2e, "t.csv", "", kind: "wrongHeader", line: 1, fatal: true),
    BadRowCase(
        "prefix-tuning line without ||", .e2ePrefixTuning, "src1.txt", "a : 1||One.\nno separator\nb : 2||Two.\n",
        kind: "malformed", line: 2, remaining: 2),
    BadRowCase(
        "prefix-tuning empty target", .e2ePrefixTuning, "src1.txt", "a : 1||One.\nb : 2|| \n",
        kind: "emptyField", line: 2, remaining: 1),
    BadRowCase(
        "JSONL bad JSON line", .jsonl, "d.jsonl", jsonlGood + "{\"source\": \"b\", \"target\": }\n" + jsonlGood,
        kind: "malformed", line: 2, remaining: 1),
    BadRowCase(
        "JSONL missing target", .jsonl, "d.jsonl", jsonlGood + "{\"source\": \"b : 2\"}\n",
        kind: "missingField", line: 2, remaining: 1),
    BadRowCase(
        "JSONL target not a string", .jsonl, "d.jsonl", jsonlGood + "{\"source\": \"b\", \"target\": 3}\n",
        kind: "badValue", line: 2, remaining: 1),
    BadRowCase(
        "JSONL invalid UTF-8", .jsonl, "d.jsonl",
        Array(jsonlGood.utf8) + Array("{\"source\": \"b\", \"target\": \"x".utf8) + [0xFF] + Array("\"}\n".utf8),
        kind: "invalidUTF8", line: 2, remaining: 1),
    BadRowCase(
        "DialogSum test record without summary2", .dialogsum, "d.jsonl",
        "{\"fname\": \"t0\", \"dialogue\": \"#Person1#: hi\", \"summary1\": \"A\", \"summary2\": \"B\"}\n"
            + "{\"fname\": \"t1\", \"dialogue\": \"#Person1#: yo\", \"summary1\": \"C\"}\n",
        kind: "missingField", line: 2, remaining: 1),
    BadRowCase(
        "DialogSum empty dialogue", .dialogsum, "d.jsonl",
        "{\"fname\": \"t0\", \"dialogue\": \"\", \"summary\": \"A\"}\n"
            + "{\"fname\": \"t1\", \"dialogue\": \"x\", \"summary\": \"B\"}\n",
        kind: "emptyField", line: 1, remaining: 1),
    BadRowCase(
        "SAMSum empty summary", .samsum, "s.json",
        "[\n  {\"id\": \"1\", \"dialogue\": \"A: hi\", \"summary\": \"A greets.\"},\n"
            + "  {\"id\": \"2\", \"dialogue\": \"B: yo\",\n   \"summary\": \"\"}\n]\n",
        kind: "emptyField", line: 4, remaining: 1),
    BadRowCase(
        "SAMSum broken array", .samsum, "s.json",
        "[\n  {\"id\": \"1\", \"dialogue\": \"A: hi\", \"summary\": \"x\"}\n  {\"id\": \"2\"}\n]\n",
        kind: "malformed", line: 3, fatal: true),
    BadRowCase(
        "DART triple with two parts", .dart, "d.json",
        "[\n {\"tripleset\": [[\"a\", \"B\"]], \"annotations\": [{\"source\": \"x\", \"text\": \"T.\"}]}\n]\n",
        kind: "badValue", line: 2, remaining: 0),
    BadRowCase(
        "WebNLG broken XML", .webnlg, "w.xml",
        "<benchmark><entries>\n<entry category=\"City\" eid=\"Id1\" size=\"1\">\n"
            + "<lex comment=\"good\">x</entry>\n</entries></benchmark>\n",
        kind: "malformed", line: 3, fatal: true),
    BadRowCase(
        "WebNLG mtriple with two parts", .webnlg, "w.xml",
        "<benchmark><entries>\n<entry category=\"City\" eid=\"Id1\" size=\"1\">\n<modifiedtripleset>\n"
            + "<mtriple>Oslo | country</mtriple>\n</modifiedtripleset>\n"
            + "<lex comment=\"good\">x</lex>\n</entry>\n</entries></benchmark>\n",
        kind: "badValue", line: 4, remaining: 0),
    // An empty subject, property or object linearises to a fact without its value; like an empty E2E slot
    // value it is a row problem in every triple format (it used to become an empty field silently).
    BadRowCase(
        "WebNLG empty triple object", .webnlg, "w.xml",
        webnlgEntries("<mtriple>Oslo | country | </mtriple>", "<mtriple>Oslo | country | Norway</mtriple>"),
        kind: "emptyField", line: 4, remaining: 1),
    BadRowCase(
        "WebNLG dev.json empty subject", .webnlg, "dev.json",
        "{\"entries\": [\n{\"1\": {\"modifiedtripleset\": [{\"subject\": \" \", \"property\": \"p\", \"object\": \"o\"}],"
            + " \"lexicalisations\": [{\"comment\": \"good\", \"lex\": \"T.\"}]}},\n"
            + "{\"2\": {\"modifiedtripleset\": [{\"subject\": \"s\", \"property\": \"p\", \"object\": \"o\"}],"
            + " \"lexicalisations\": [{\"comment\": \"good\", \"lex\": \"T.\"}]}}\n]}\n",
        kind: "emptyField", line: 2, remaining: 1),
    BadRowCase(
        "DART empty triple object", .dart, "d.json",
        "[\n {\"tripleset\": [[\"a\", \"B\", \"\"]], \"annotations\": [{\"source\": \"x\", \"text\": \"T.\"}]},\n"
            + " {\"tripleset\": [[\"a\", \"B\", \"c\"]], \"annotations\": [{\"source\": \"x\", \"text\": \"T.\"}]}\n]\n",
        kind: "emptyField", line: 2, remaining: 1),
    BadRowCase(
        "DART XML empty property", .dart, "d.xml",
        webnlgEntries("<mtriple>Oslo |  | Norway</mtriple>", "<mtriple>Oslo | country | Norway</mtriple>"),
        kind: "emptyField", line: 4, remaining: 1),
    // Foundation's XMLParser on Linux drops the text of an entity a DTD declares (and the text after it)
    // without an error; the benchmark files use only XML's predefined entities.
    BadRowCase(
        "WebNLG entity declared in a DTD", .webnlg, "w.xml",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE benchmark [<!ENTITY land \"Norway\">]>\n"
            + webnlgEntries("<mtriple>Oslo | country | &land;</mtriple>", "<mtriple>Oslo | is | big</mtriple>"),
        kind: "malformed", line: 6, fatal: true),
    BadRowCase(
        "DART external entity", .dart, "d.xml",
        "<!DOCTYPE benchmark [<!ENTITY x SYSTEM \"x.txt\">]>\n"
            + webnlgEntries("<mtriple>Oslo | country | Norway</mtriple>", "<mtriple>Oslo | is | &x;</mtriple>"),
        kind: "malformed", line: 9, fatal: true),
    BadRowCase(
        "JSONL empty references", .jsonl, "d.jsonl", "{\"source\": \"b : 2\", \"references\": []}\n" + jsonlGood,
        kind: "emptyField", line: 1, remaining: 1),
    BadRowCase(
        "DialogSum summary after an inputs-only first record", .dialogsum, "d.jsonl",
        "{\"fname\": \"t0\", \"dialogue\": \"#Person1#: hi\"}\n"
            + "{\"fname\": \"t1\", \"dialogue\": \"#Person1#: yo\", \"summary\": \"C\"}\n",
        kind: "badValue", line: 2, remaining: 1),
]

/// Two WebNLG entries, each with one good lexicalisation, holding the given `<mtriple>` elements: the first on
/// line 4, the second on line 8.
private func webnlgEntries(_ first: String, _ second: String) -> String {
    "<benchmark><entries>\n<entry category=\"City\" eid=\"Id1\" size=\"1\">\n<modifiedtripleset>\n\(first)\n"
        + "</modifiedtripleset><lex comment=\"good\">x</lex></entry>\n"
        + "<entry category=\"City\" eid=\"Id2\" size=\"1\">\n<modifiedtripleset>\n\(second)\n"
        + "</modifiedtripleset><lex comment=\"good\">y</lex></entry>\n</entries></benchmark>\n"
}

/// Under the default policy every bad row throws a typed error naming the file and the physical line.
@Test(arguments: badRowCases)
func badRowFailsByDefault(_ bad: BadRowCase) throws {
    let folder = try TemporaryFolder()
    let url = try folder.write(bad.bytes, to: bad.fileName)
    do {
        _ = try bad.task.load(url)
        Issue.record("\(bad.name): loaded without error")
    } catch let error as DatasetError {
        let (kind, line) = kindAndLine(error)
        #expect(kind == bad.kind && line == bad.line, "\(bad.name): \(error)")
        #expect(error.description.contains(url.path))
    }
}

/// Under `.skip` a row problem is left out and reported with its line, the other rows load; a file
/// problem still throws.
@Test(arguments: badRowCases)
func badRowUnderSkip(_ bad: BadRowCase) throws {
    let folder = try TemporaryFolder()
    let url = try folder.write(bad.bytes, to: bad.fileName)
    if bad.fatal {
        #expect(throws: DatasetError.self, "\(bad.name)") { try bad.task.load(url, onBadRow: .skip) }
        return
    }
    let data = try bad.task.load(url, onBadRow: .skip)
    #expect(data.examples.count == bad.remaining, "\(bad.name)")
    #expect(data.skipped.count == 1, "\(bad.name)")
    if let first = data.skipped.first {
        let (kind, line) = kindAndLine(first)
        #expect(kind == bad.kind && line == bad.line, "\(bad.name): \(first)")
    }
}
