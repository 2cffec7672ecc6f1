import Foundation
import TextIO

/// The tasks LNTune trains and evaluates, each with its loader, its prompt template in `prompts/` and its
/// policy for sequences longer than the context.
public enum DatasetTask: String, CaseIterable, Sendable {
    /// E2E CSVs (`trainset.csv`, `devset.csv`, `testset_w_refs.csv`, `testset.csv`).
    case e2e
    /// Li & Liang's derived E2E files (`src1_*.txt`, `SOURCE||TARGET`), giving exactly their inputs.
    case e2ePrefixTuning = "e2e-prefixtuning"
    /// WebNLG 2017 XML (a folder, one file) or Li & Liang's `dev.json`.
    case webnlg
    /// DART v1.1.1, `.json` or `.xml`.
    case dart
    /// DialogSum JSON Lines.
    case dialogsum
    /// SAMSum JSON (released or InstructDS-derived layout).
    case samsum
    /// Generic JSON Lines `{"source", "target"}` or `{"source", "references"}`.
    case jsonl

    /// Parses a task name as the CLI accepts it, listing the valid names on failure.
    public init(name: String) throws {
        guard let task = DatasetTask(rawValue: name.lowercased()) else {
            throw DatasetError.invalidSetting(
                name: "task", value: name, hint: "one of " + Self.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = task
    }

    /// Reads a data file (or WebNLG folder) of this task.
    public func load(_ url: URL, onBadRow: OnBadRow = .fail) throws -> LoadedDataset {
        switch self {
        case .e2e: return try E2ELoader.loadCSV(url, onBadRow: onBadRow)
        case .e2ePrefixTuning: return try E2ELoader.loadPrefixTuningFormat(url, onBadRow: onBadRow)
        case .webnlg: return try WebNLGLoader.load(url, onBadRow: onBadRow)
        case .dart: return try DARTLoader.load(url, onBadRow: onBadRow)
        case .dialogsum: return try DialogSumLoader.load(url, onBadRow: onBadRow)
        case .samsum: return try SAMSumLoader.load(url, onBadRow: onBadRow)
        case .jsonl: return try JSONLinesLoader.load(url, onBadRow: onBadRow)
        }
    }

    /// The template file name in `prompts/`; both E2E tasks share `e2e.txt`.
    public var templateFileName: String {
        self == .e2ePrefixTuning ? "e2e.txt" : "\(rawValue).txt"
    }

    /// The task's template as bundled into the library (identical to `prompts/<name>`).
    public func bundledTemplate() throws -> PromptTemplate {
        guard let text = BundledPrompts.files[templateFileName] else {
            throw DatasetError.input(
                .unreadable(file: "prompts/\(templateFileName)", reason: "not bundled; run eval/bundle_prompts.py"))
        }
        return try PromptTemplate(text: text, file: "prompts/\(templateFileName)")
    }

    /// Dialogues may be cut from the left; table-to-text and generic inputs are never cut.
    public var overflowPolicy: OverflowPolicy {
        switch self {
        case .dialogsum, .samsum: return .truncateSourceFromLeft
        case .e2e, .e2ePrefixTuning, .webnlg, .dart, .jsonl: return .reject
        }
    }
}
