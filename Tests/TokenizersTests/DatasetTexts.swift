import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The text fields of a dataset file, by the rules of eval/reference/dataset_texts.py (which wrote the
/// digests this is compared with): CSV columns by header, JSON strings by nearest object key (keys in
/// code-point order), XML leaf elements by tag, prefix-tuning `.txt` lines split at the first `||`.
enum DatasetTexts {
    static let suffixes: Set<String> = ["csv", "jsonl", "json", "xml", "txt"]

    enum ExtractionError: Error, CustomStringConvertible {
        case invalid(String, String)
        var description: String {
            switch self {
            case let .invalid(file, reason): "\(file): \(reason)"
            }
        }
    }

    /// Field name → texts in file order.
    static func fields(of url: URL) throws -> [String: [String]] {
        let bytes = [UInt8](try Data(contentsOf: url))
        var out: [String: [String]] = [:]
        switch url.pathExtension {
        case "csv":
            let records = try csvRecords(bytes, file: url.lastPathComponent)
            guard let header = records.first else { return [:] }
            for record in records.dropFirst() {
                guard record.count == header.count else { throw ExtractionError.invalid(url.path, "ragged record") }
                for (name, text) in zip(header, record) { out[name, default: []].append(text) }
            }
        case "jsonl":
            for line in bytes.split(separator: 0x0A) where line.contains(where: { $0 > 0x20 }) {
                walk(
                    try JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed]), key: "",
                    into: &out)
            }
        case "json":
            walk(try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]), key: "", into: &out)
        case "xml":
            let collector = LeafCollector()
            let parser = XMLParser(data: Data(bytes))
            parser.delegate = collector
            guard parser.parse() else {
                throw ExtractionError.invalid(url.path, parser.parserError.map { "\($0)" } ?? "XML error")
            }
            for (tag, text) in collector.leaves { out[tag, default: []].append(text) }
        case "txt":
            var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            if lines.last?.isEmpty == true { lines.removeLast() }
            for line in lines {
                guard let cut = firstIndex(of: [0x7C, 0x7C], in: line) else {
                    throw ExtractionError.invalid(url.path, "line without ||")
                }
                out["source", default: []].append(try text(line[..<cut], url))
                out["target", default: []].append(try text(line[(cut + 2)...], url))
            }
        default:
            break
        }
        return out
    }

    private static func text(_ bytes: ArraySlice<UInt8>, _ url: URL) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ExtractionError.invalid(url.path, "not UTF-8")
        }
        return text
    }

    private static func firstIndex(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        var i = haystack.startIndex
        while i + needle.count <= haystack.endIndex {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// Objects by key in code-point order, arrays in order; strings go to the nearest key's field.
    private static func walk(_ value: Any, key: String, into out: inout [String: [String]]) {
        if let object = value as? [String: Any] {
            for name in object.keys.sorted(by: { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }) {
                walk(object[name] as Any, key: name, into: &out)
            }
        } else if let array = value as? [Any] {
            for item in array { walk(item, key: key, into: &out) }
        } else if let text = value as? String {
            out[key, default: []].append(text)
        }
    }

    /// RFC 4180 records (as Python's `csv.reader`): `,` separates fields, CRLF/LF/CR end records outside
    /// quotes, a quoted field keeps everything literally except `""` → `"`.
    static func csvRecords(_ bytes: [UInt8], file: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var i = 0
        var quoted = false
        var fieldStarted = false
        func endField() throws {
            guard let text = String(validating: field, as: UTF8.self) else {
                throw ExtractionError.invalid(file, "not UTF-8")
            }
            record.append(text)
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
        }
        while i < bytes.count {
            let byte = bytes[i]
            if quoted {
                if byte == 0x22 {
                    if i + 1 < bytes.count, bytes[i + 1] == 0x22 {
                        field.append(0x22)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == 0x22, !fieldStarted, field.isEmpty {
                quoted = true
                fieldStarted = true
            } else if byte == 0x2C {
                try endField()
            } else if byte == 0x0A || byte == 0x0D {
                try endField()
                records.append(record)
                record = []
                if byte == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
            } else {
                field.append(byte)
                fieldStarted = true
            }
            i += 1
        }
        if fieldStarted || !field.isEmpty || !record.isEmpty {
            try endField()
            records.append(record)
        }
        return records
    }
}

/// Collects (tag, text) of every element without child elements, in document order.
private final class LeafCollector: NSObject, XMLParserDelegate {
    var leaves: [(String, String)] = []
    private var stack: [(tag: String, text: String, hasChild: Bool)] = []

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if !stack.isEmpty { stack[stack.count - 1].hasChild = true }
        stack.append((elementName, "", false))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !stack.isEmpty { stack[stack.count - 1].text += string }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if !stack.isEmpty { stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self) }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard let element = stack.popLast() else { return }
        if !element.hasChild { leaves.append((element.tag, element.text)) }
    }
}
