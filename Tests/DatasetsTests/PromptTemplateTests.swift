import Foundation
import Testing
import TestSupport

import Datasets

/// The templates compiled into the library are byte-identical to `prompts/*.txt` (regenerate with
/// `python3 eval/bundle_prompts.py`), there is one per task, and each parses.
@Test func bundledTemplatesEqualTheFiles() throws {
    let folder = Fixtures.repositoryRoot.appendingPathComponent("prompts")
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".txt") }
    #expect(Set(names) == Set(BundledPrompts.files.keys), "run python3 eval/bundle_prompts.py")
    for name in names {
        let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        #expect(BundledPrompts.files[name] == text, "prompts/\(name) changed: run python3 eval/bundle_prompts.py")
        _ = try PromptTemplate(contentsOf: folder.appendingPathComponent(name))
    }
    for task in DatasetTask.allCases {
        _ = try task.bundledTemplate()
    }
}

/// The table-to-text default reproduces Li & Liang's training string ' {src} {bos} ' + tgt + ' {eos}' and
/// puts the prompt/target boundary right after the first <|endoftext|>, where their label mask ends.
@Test func tableToTextTemplateMatchesLiAndLiang() throws {
    let template = try DatasetTask.e2e.bundledTemplate()
    #expect(
        template.text(source: "name : Aster | area : riverside", target: "Aster is by the river.")
            == " name : Aster | area : riverside <|endoftext|> Aster is by the river. <|endoftext|>")
    #expect(template.prompt(source: "S") == [.text(" S "), .special("<|endoftext|>")])
    #expect(template.target("T") == [.text(" T "), .special("<|endoftext|>")])
    let summary = try DatasetTask.dialogsum.bundledTemplate()
    #expect(summary.prompt(source: "A: hi") == [.text("Dialogue:\nA: hi\nSummary:")])
    #expect(summary.target("A greets.") == [.text(" A greets."), .special("<|endoftext|>")])
}

/// Comments, CRLF line ends, outer empty lines and literal braces are handled as documented.
@Test func templateSyntax() throws {
    let text = "# a comment\r\n\r\n{{json}}: {source}\r\n# inside comment\r\n=> {target}<|endoftext|>\r\n\r\n"
    let template = try PromptTemplate(text: text, file: "t.txt")
    #expect(template.text(source: "x", target: "y") == "{json}: x\n=> y<|endoftext|>")
    #expect(template.prompt(source: "x") == [.text("{json}: x\n=>")])
}

/// Each broken template is a typed error naming the file and the line of the problem.
@Test(arguments: [
    ("{source} <|endoftext|> {target} {foo} <|endoftext|>", 1, "unknown placeholder {foo}"),
    ("# header\n {target} <|endoftext|>", 2, "no {source}"),
    (" {source} <|endoftext|>", 1, "no {target}"),
    ("{source}\n{source} <|endoftext|> {target}<|endoftext|>", 2, "{source} appears more than once"),
    ("{target} <|endoftext|> {source}<|endoftext|>", 1, "{target} comes before {source}"),
    ("{source} <|endoftext|>\n{target <|endoftext|>", 2, "'{' without '}'"),
    ("{source} <|endoftext|> {Target} <|endoftext|>", 1, "unknown placeholder {Target}"),
    ("{source} <|endoftext|> {target} <|endoftext|> {", 1, "'{' without '}'"),
    ("{source} } <|endoftext|> {target} <|endoftext|>", 1, "'}' without '{'"),
    ("{source} <|im_start|> {target} <|endoftext|>", 1, "unknown special token <|im_start|>"),
    ("{source} <|endoftext|> {target}", 1, "no <|endoftext|> after {target}"),
    ("Dialogue:\n{source}\nSummary:{target}<|endoftext|>", 3, "the prompt must end with"),
    ("Dialogue:\n{source}\nSummary:\n{target}<|endoftext|>", 4, "the prompt must end with"),
    ("{source} {target}<|endoftext|>", 1, "the prompt must end with"),
    ("# only comments\n\n", 1, "the template is empty"),
])
func invalidTemplates(text: String, line: Int, reason: String) {
    do {
        _ = try PromptTemplate(text: text, file: "bad.txt")
        Issue.record("accepted: \(text.debugDescription)")
    } catch let error as DatasetError {
        guard case .invalidTemplate(let file, let errorLine, let message) = error else {
            Issue.record("wrong error \(error)")
            return
        }
        #expect(file == "bad.txt" && errorLine == line && message.contains(reason), "\(error)")
    } catch {
        Issue.record("untyped error \(error)")
    }
}
