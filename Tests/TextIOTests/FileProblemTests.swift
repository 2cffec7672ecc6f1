import Foundation
import Testing
import TextIO

/// A path that cannot be read or written is explained in words a user can act on — what is at the path, and
/// what to do — never with Foundation's texts ("NSCocoaErrorDomain error 256", "You don't have permission").
@Suite struct FileProblemTests {
    /// A scratch folder with a file, a sub-folder and a named pipe; removed at the end.
    final class Scratch {
        let root: String
        init() throws {
            root =
                FileManager.default.temporaryDirectory.appendingPathComponent("fileproblem-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: root + "/folder", withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/file.txt"))
            try #require(mkfifo(root + "/pipe", 0o600) == 0)
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }
    }

    @Test func readingExplainsWhatIsInTheWay() throws {
        let s = try Scratch()
        #expect(FileProblem.forReading(s.root + "/file.txt") == nil)
        let cases: [(String, String)] = [
            (s.root + "/folder", "it is a folder, not a file"), (s.root + "/pipe", "it is a named pipe"),
            (s.root + "/missing.txt", "no such file"),
            (s.root + "/gone/deeper/x.txt", "the folder \(s.root)/gone does not exist"),
            (s.root + "/file.txt/x.txt", "\(s.root)/file.txt is a file, not a folder"), ("", "the path is empty"),
        ]
        for (path, reason) in cases {
            let problem = try #require(FileProblem.forReading(path), "\(path)")
            #expect(problem.hasPrefix(reason), "\(path): \(problem)")
            // The same reason reaches the reader's error.
            if !path.isEmpty {
                #expect(throws: TextInputError.unreadable(file: path, reason: problem)) { try TextFile(path: path) }
            }
        }
    }

    @Test func writingExplainsWhatIsInTheWay() throws {
        let s = try Scratch()
        #expect(FileProblem.forWriting(s.root + "/new.jsonl") == nil)
        #expect(FileProblem.forWriting(s.root + "/file.txt") == nil)
        #expect(FileProblem.forWriting(s.root + "/folder")?.hasPrefix("it is a folder") == true)
        #expect(FileProblem.forWriting(s.root + "/pipe")?.hasPrefix("it is a named pipe") == true)
        #expect(FileProblem.forWriting(s.root + "/gone/x.jsonl")?.contains("\(s.root)/gone does not exist") == true)
        #expect(FileProblem.forWriting(s.root + "/file.txt/x.jsonl")?.contains("is a file, not a folder") == true)
        // A failed write with nothing visibly wrong falls back to the system's reason, in lower case.
        let full = NSError(
            domain: NSCocoaErrorDomain, code: 640,
            userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])
        #expect(
            FileProblem.reason(full, path: s.root + "/new.jsonl", writing: true).hasPrefix("no space left on device"))
    }
}

/// Numbers in messages: counts with their noun in number, thousands grouped, decimals that never say nan.
@Test func numbersReadAlike() {
    #expect(NumberText.count(1, "example") == "1 example")
    #expect(NumberText.count(0, "example") == "0 examples")
    #expect(NumberText.count(50257, "token") == "50,257 tokens")
    #expect(NumberText.count(2, "beam search", plural: "beam searches") == "2 beam searches")
    #expect(NumberText.grouped(-1_234_567) == "-1,234,567" && NumberText.grouped(999) == "999")
    #expect(NumberText.grouped(UInt64.max) == "18,446,744,073,709,551,615")
    #expect(NumberText.decimal(12.41806, digits: 4) == "12.4181")
    #expect(NumberText.decimal(-0.00001, digits: 4) == "0.0000")
    for x in [Double.nan, -.nan, .infinity, -.infinity] { #expect(NumberText.decimal(x, digits: 4) == "undefined") }
    #expect(NumberText.bytes(512) == "512 bytes" && NumberText.bytes(1_500_000_000) == "1.5 GB")
}
