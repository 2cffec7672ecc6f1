/// One input of a data-to-text or summarization task with all of its reference outputs.
///
/// Loaders group references by input, in order of first appearance, so an evaluation generates once per
/// `Example` and scores against every reference; training expands each example into one
/// (source, target) pair per reference (`LoadedDataset.trainingPairs()`).
public struct Example: Sendable, Equatable {
    /// Stable and unique within the loaded file set, e.g. `devset-12` or `2triples/…_dev_challenge#Id7`.
    public var id: String
    /// The linearised input the prompt template inserts at `{source}`.
    public var source: String
    /// Reference outputs; empty for input-only files (E2E `testset.csv`, WebNLG `testdata_no_lex.xml`).
    public var references: [String]
    /// Facts about the example kept from the file: `file`, `line` (where it first appears), and per format
    /// e.g. WebNLG `category`, `seen` (`seen`/`unseen`), `eid`; DART `sources`; DialogSum `topic`.
    public var metadata: [String: String]

    public init(id: String, source: String, references: [String], metadata: [String: String] = [:]) {
        self.id = id
        self.source = source
        self.references = references
        self.metadata = metadata
    }
}

/// One training sequence: a source and one of its references.
public struct TrainingPair: Sendable, Equatable {
    /// `Example.id` plus `#k` for the k-th reference (1-based).
    public var id: String
    public var source: String
    public var target: String

    public init(id: String, source: String, target: String) {
        self.id = id
        self.source = source
        self.target = target
    }
}

/// What a loader read: the examples and every row it skipped (only non-empty under `OnBadRow.skip`).
public struct LoadedDataset: Sendable, Equatable {
    public var examples: [Example]
    /// The row problems left out under `OnBadRow.skip`, each naming file and line.
    public var skipped: [DatasetError]
    /// Records deliberately left out by the format's rules, not because they were broken, with the
    /// reason as key (e.g. WebNLG entries whose lexicalisations are all `toFix`).
    public var filtered: [String: Int]

    public init(examples: [Example], skipped: [DatasetError] = [], filtered: [String: Int] = [:]) {
        self.examples = examples
        self.skipped = skipped
        self.filtered = filtered
    }

    /// Number of references over all examples.
    public var referenceCount: Int { examples.reduce(0) { $0 + $1.references.count } }

    /// One pair per reference, examples in order and references in file order.
    public func trainingPairs() -> [TrainingPair] {
        var pairs: [TrainingPair] = []
        pairs.reserveCapacity(referenceCount)
        for example in examples {
            for (k, reference) in example.references.enumerated() {
                pairs.append(TrainingPair(id: "\(example.id)#\(k + 1)", source: example.source, target: reference))
            }
        }
        return pairs
    }

    /// Concatenates datasets read from several files (a WebNLG folder, train + extra JSONL).
    public static func concatenating(_ parts: [LoadedDataset]) -> LoadedDataset {
        var result = LoadedDataset(examples: [])
        for part in parts {
            result.examples += part.examples
            result.skipped += part.skipped
            result.filtered.merge(part.filtered, uniquingKeysWith: +)
        }
        return result
    }
}

/// Groups (key, source, reference) rows into examples by identical key, in order of first appearance.
///
/// E2E's train split repeats an MR in places far apart, so grouping must not assume contiguous rows.
struct ExampleGrouper {
    private var index: [String: Int] = [:]
    private(set) var examples: [Example] = []
    let idPrefix: String

    init(idPrefix: String) { self.idPrefix = idPrefix }

    /// Adds `references` to the example for `key`, creating it with `source` and `metadata` on first sight;
    /// its id is `id` if given, else `<idPrefix>-<k>` for the k-th distinct key. `source` is evaluated only
    /// for a new key (E2E's train split has 42,061 rows but 4,862 MRs to parse).
    mutating func add(
        key: String, source: @autoclosure () throws -> String, references: [String], id: String? = nil,
        metadata: @autoclosure () -> [String: String]
    ) rethrows {
        if let position = index[key] {
            examples[position].references += references
            return
        }
        let example = Example(
            id: id ?? "\(idPrefix)-\(examples.count + 1)", source: try source(), references: references,
            metadata: metadata())
        index[key] = examples.count
        examples.append(example)
    }
}
