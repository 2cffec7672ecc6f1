/// Finds entity references that Foundation's `XMLParser` on Linux would drop without a word: it reports no
/// error for an entity declared in a DTD (`<!ENTITY nbsp "…">`, or an external one it does not load), but
/// leaves out its text — and, seen in practice, the text after it in the same element — so a triple or a
/// reference silently loses words. The benchmark files use only the five predefined entities and character
/// references; anything else is refused with its line.
enum XMLEntityCheck {
    static let predefined: Set<String> = ["lt", "gt", "amp", "quot", "apos"]

    /// The first reference `&name;` outside comments, CDATA sections and the DTD whose name is not predefined,
    /// with its 1-based line; nil when there is none.
    static func firstUnexpandable(in bytes: [UInt8]) -> (line: Int, name: String)? {
        var line = 1
        var i = 0
        func starts(_ text: String, at index: Int) -> Bool {
            let pattern = Array(text.utf8)
            return index + pattern.count <= bytes.count && Array(bytes[index..<index + pattern.count]) == pattern
        }
        /// Moves `i` past `end` (counting lines); false when the file ends first.
        func skip(past end: String) -> Bool {
            while i < bytes.count {
                if starts(end, at: i) {
                    i += end.utf8.count
                    return true
                }
                if bytes[i] == 0x0A { line += 1 }
                i += 1
            }
            return false
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0x0A {
                line += 1
            } else if byte == UInt8(ascii: "<") {
                if starts("<!--", at: i) {
                    guard skip(past: "-->") else { return nil }
                    continue
                }
                if starts("<![CDATA[", at: i) {
                    guard skip(past: "]]>") else { return nil }
                    continue
                }
                if starts("<!DOCTYPE", at: i) {
                    // Declarations hold entity values and references of their own; the references that
                    // matter are those in the document, checked below.
                    var j = i
                    while j < bytes.count, bytes[j] != UInt8(ascii: "["), bytes[j] != UInt8(ascii: ">") { j += 1 }
                    if j < bytes.count, bytes[j] == UInt8(ascii: "["), !skip(past: "]") { return nil }
                    guard skip(past: ">") else { return nil }
                    continue
                }
            } else if byte == UInt8(ascii: "&") {
                var end = i + 1
                while end < bytes.count, end - i < 64, bytes[end] != UInt8(ascii: ";"), bytes[end] != 0x0A { end += 1 }
                if end < bytes.count, bytes[end] == UInt8(ascii: ";") {
                    let name = String(decoding: bytes[(i + 1)..<end], as: UTF8.self)
                    if !name.hasPrefix("#") && !predefined.contains(name) { return (line, name) }
                }
            }
            i += 1
        }
        return nil
    }
}
