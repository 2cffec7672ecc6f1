import Foundation
import TextIO

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// One `<entry>` of the WebNLG benchmark XML layout, which DART's XML files share.
struct BenchmarkEntry {
    struct Text {
        let text: String
        let attributes: [String: String]
        let line: Int
    }

    /// Line of the `<entry>` tag.
    let line: Int
    /// `category`, `eid`, `size`.
    let attributes: [String: String]
    /// The `<mtriple>` texts of `<modifiedtripleset>`, `subject | property | object`.
    var triples: [Text] = []
    /// The `<lex>` elements with their attributes (`comment`, `lid`) and text.
    var lexicalisations: [Text] = []
}

/// Reads `<benchmark><entries><entry>…` with Foundation's `XMLParser` (XML escapes and `&#39;` resolved).
enum BenchmarkXML {
    static func parse(_ file: TextFile) throws -> [BenchmarkEntry] {
        // XMLParser would report bad bytes without a usable reason, and a broken document cannot be resumed,
        // so the whole file is validated first.
        try file.validateUTF8()
        if let entity = XMLEntityCheck.firstUnexpandable(in: file.bytes) {
            throw DatasetError.malformed(
                file: file.name, line: entity.line,
                reason: "entity reference &\(entity.name); is not one of XML's predefined entities (&lt; &gt; &amp;"
                    + " &quot; &apos;) or a character reference; its text would be dropped silently, so write it"
                    + " out in the file")
        }
        let parser = XMLParser(data: Data(file.bytes))
        let collector = EntryCollector()
        parser.delegate = collector
        let parsed = parser.parse()
        // The first problem wins: a layout problem aborts the parser, and on Linux `parse()` can return
        // true after libxml2 recovered from an error, so the delegate's own error report is what counts.
        if let problem = collector.problem {
            throw DatasetError.malformed(file: file.name, line: problem.line, reason: problem.reason)
        }
        if !parsed || parser.parserError != nil {
            let code = (parser.parserError as NSError?)?.code ?? 0
            throw DatasetError.malformed(
                file: file.name, line: parser.lineNumber, reason: "invalid XML: \(describe(code))")
        }
        return collector.entries
    }

    /// libxml2's error codes (as XMLParser passes them on) for the usual mistakes; Foundation on Linux
    /// gives these errors no message of their own.
    static func describe(_ code: Int) -> String {
        let known = [
            4: "document is empty", 5: "extra content after the document", 9: "invalid character",
            23: "'>' expected", 26: "undefined entity", 38: "unescaped '<' in an attribute value",
            41: "malformed attribute", 68: "malformed name", 73: "'>' expected at the end of a tag",
            76: "closing tag does not match the open element", 77: "element not closed before the end",
        ]
        return known[code].map { "\($0) (libxml2 error \(code))" } ?? "libxml2 error \(code)"
    }
}

/// The delegate that turns parser events into entries. Text is collected only directly inside `<mtriple>`
/// and `<lex>`; `<otriple>` (the unmodified DBpedia triples) is ignored.
private final class EntryCollector: NSObject, XMLParserDelegate {
    var entries: [BenchmarkEntry] = []
    var problem: (line: Int, reason: String)?
    private var current: BenchmarkEntry?
    private var inModifiedSet = false
    private var textTarget: (element: String, attributes: [String: String], line: Int)?
    private var text = ""

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch elementName {
        case "entry":
            if current != nil { fail(parser, "<entry> nested inside another <entry>") }
            current = BenchmarkEntry(line: parser.lineNumber, attributes: attributes)
        case "modifiedtripleset":
            inModifiedSet = true
        case "mtriple" where inModifiedSet, "lex":
            guard current != nil else { return fail(parser, "<\(elementName)> outside an <entry>") }
            textTarget = (elementName, attributes, parser.lineNumber)
            text = ""
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if textTarget != nil { text += string }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if textTarget != nil { text += String(decoding: CDATABlock, as: UTF8.self) }
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
        switch elementName {
        case "entry":
            if let current { entries.append(current) }
            current = nil
        case "modifiedtripleset":
            inModifiedSet = false
        case "mtriple", "lex":
            guard let target = textTarget, target.element == elementName else { return }
            let item = BenchmarkEntry.Text(text: text, attributes: target.attributes, line: target.line)
            if elementName == "mtriple" {
                current?.triples.append(item)
            } else {
                current?.lexicalisations.append(item)
            }
            textTarget = nil
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if problem == nil {
            problem = (parser.lineNumber, "invalid XML: \(BenchmarkXML.describe((parseError as NSError).code))")
        }
    }

    private func fail(_ parser: XMLParser, _ reason: String) {
        if problem == nil { problem = (parser.lineNumber, reason) }
        parser.abortParsing()
    }
}
