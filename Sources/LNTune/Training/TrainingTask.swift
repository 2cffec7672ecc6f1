import Datasets
import Foundation
import TextIO

/// What `lntune train --task` accepts: every dataset task, plus `text` for plain language modelling.
///
/// `text` exists so LNTune's own trainer can pretrain a model (`--method full`), as the bundled tiny model was:
/// each non-empty line of a UTF-8 file is one document, trained on whole. It uses a built-in template,
/// `{source}<|endoftext|> {target} <|endoftext|>` with an empty source, so a document is read exactly as a
/// data-to-text target is (after `<|endoftext|>`, with a leading space, ending in ` <|endoftext|>`) and a model
/// pretrained this way already writes targets in the form the table-to-text templates expect.
public enum TrainingTask: Equatable, Sendable, CustomStringConvertible {
    case dataset(DatasetTask)
    case text

    /// Every task name, as the CLI lists them.
    public static var names: [String] { DatasetTask.allCases.map(\.rawValue) + ["text"] }

    public init(name: String) throws {
        if name.lowercased() == "text" {
            self = .text
        } else {
            do {
                self = .dataset(try DatasetTask(name: name))
            } catch {
                throw LNTuneError.training(
                    .invalidSetting(
                        name: "task", value: name, hint: "one of " + Self.names.joined(separator: ", ")))
            }
        }
    }

    public var description: String {
        switch self {
        case let .dataset(task): return task.rawValue
        case .text: return "text"
        }
    }

    /// The text of the `text` task's template (see the type's documentation).
    public static let textTemplate = """
        # LNTune built-in template for task `text`: one document per line, no source. The prompt is the
        # <|endoftext|> a GPT-2 document starts after; the loss covers " document <|endoftext|>".
        {source}<|endoftext|> {target} <|endoftext|>
        """

    /// The task's own template (bundled `prompts/<task>.txt`, or the built-in one for `text`).
    public func defaultTemplate() throws -> PromptTemplate {
        switch self {
        case let .dataset(task): return try task.bundledTemplate()
        case .text: return try PromptTemplate(text: Self.textTemplate, file: "built-in template for task text")
        }
    }

    /// Table-to-text and plain text are never cut; dialogues may lose their first words.
    public var overflowPolicy: OverflowPolicy {
        switch self {
        case let .dataset(task): return task.overflowPolicy
        case .text: return .reject
        }
    }

    /// Reads a data file (or WebNLG folder) of this task.
    public func load(_ url: URL, onBadRow: OnBadRow) throws -> LoadedDataset {
        switch self {
        case let .dataset(task): return try task.load(url, onBadRow: onBadRow)
        case .text: return try PlainTextLoader.load(url, onBadRow: onBadRow)
        }
    }
}

/// The `text` task's files: UTF-8, one document per line by TextIO's line policy (CRLF reads as LF); lines
/// of only whitespace are ignored. A line that is not UTF-8 is a row problem, skipped under `.skip`.
public enum PlainTextLoader {
    public static func load(_ url: URL, onBadRow: OnBadRow) throws -> LoadedDataset {
        let file = try DatasetError.reportingInput { try TextFile(url: url) }
        var examples: [Example] = []
        var skipped: [DatasetError] = []
        for line in file.lines() {
            let text: String
            do {
                text = try file.text(of: line)
            } catch {
                guard onBadRow == .skip else { throw DatasetError.input(error) }
                skipped.append(.input(error))
                continue
            }
            if text.allSatisfy(\.isWhitespace) { continue }
            examples.append(
                Example(
                    id: "\(file.stem)-\(line.number)", source: "", references: [text],
                    metadata: ["file": file.name, "line": String(line.number)]))
        }
        return LoadedDataset(examples: examples, skipped: skipped)
    }
}
