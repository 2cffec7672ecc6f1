import Foundation
import GPT2
import LNTune
import TestSupport
import Testing
import Tuning

/// `ModelLoader` runs every check once for every pipeline: adapters of another shape are refused naming both
/// shapes, another base model name is a warning, a prefix must leave room for tokens, and the tokenizer — a
/// folder or a `.tiktoken` file — must fit the model's embeddings and have `<|endoftext|>`.
struct ModelLoaderTests {
    let folder: TemporaryFolder
    let shallow: URL
    let deep: URL

    init() throws {
        folder = try TemporaryFolder()
        shallow = try LoaderFixtures.model("shallow", config: LoaderFixtures.config(layers: 2), in: folder.url)
        deep = try LoaderFixtures.model("deep", config: LoaderFixtures.config(layers: 3), in: folder.url)
    }

    private func adapter(_ method: TuningConfiguration, for model: URL, named name: String) throws -> String {
        try LoaderFixtures.adapter(
            method, for: model, baseModel: model.path, into: folder.url.appendingPathComponent(name)
        ).path
    }

    /// An LN or BitFit adapter of a 2-block model on a 3-block one holds no values for block 2: refused, with
    /// the blocks it has and the model's shape — not applied with one block silently untuned.
    @Test(arguments: ["ln", "bitfit"])
    func refusesAnAdapterOfAShallowerModel(method: String) throws {
        let configuration: TuningConfiguration = method == "ln" ? .ln(LNTuningOptions()) : .bitfit
        let path = try adapter(configuration, for: shallow, named: "shallow-\(method)")
        let error = #expect(throws: LNTuneError.self) {
            try ModelLoader.load(ModelRequest(model: deep.path, adapter: path))
        }
        guard case let .loading(.adapterMismatch(adapter, adapterShape, model, modelShape))? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(adapter == path && model == deep.path)
        #expect(adapterShape.contains("2 blocks (h.0–h.1)") && adapterShape.contains("h.2."))
        #expect(modelShape.contains("n_layer 3") && modelShape.contains("n_embd 32"))
        // Merging goes through the same loader.
        #expect(throws: LNTuneError.self) {
            try AdapterMerging.merge(
                model: deep.path, adapter: path, output: folder.url.appendingPathComponent("merged"))
        }
    }

    /// The other way round (a deeper adapter), and a wider one, are refused by the adapter reader, which names
    /// the tensor and both shapes.
    @Test func refusesADeeperOrWiderAdapter() throws {
        let deeper = try adapter(.ln(LNTuningOptions()), for: deep, named: "deep-ln")
        #expect {
            try ModelLoader.load(ModelRequest(model: shallow.path, adapter: deeper))
        } throws: { error in
            guard case .tuning(.invalidAdapter(_, let reason))? = error as? LNTuneError else { return false }
            return reason.contains("h.2") && reason.contains("2 layers")
        }
        let wide = try LoaderFixtures.model("wide", config: LoaderFixtures.config(width: 48), in: folder.url)
        let wider = try adapter(.ln(LNTuningOptions()), for: wide, named: "wide-ln")
        #expect {
            try ModelLoader.load(ModelRequest(model: shallow.path, adapter: wider))
        } throws: { error in
            guard case .tuning(.adapterShapeMismatch(_, _, let expected, let found))? = error as? LNTuneError else {
                return false
            }
            return expected == [32] && found == [48]
        }
    }

    /// An adapter recording another base model loads (its shapes fit) with a warning naming both; spellings of
    /// the same model — its own path, a path that ends the folder's — give none.
    @Test func warnsOnAnotherBaseModelName() throws {
        let own = try adapter(.ln(LNTuningOptions()), for: shallow, named: "own")
        #expect(try ModelLoader.load(ModelRequest(model: shallow.path, adapter: own)).warnings.isEmpty)
        let relative = try LoaderFixtures.adapter(
            .ln(LNTuningOptions()), for: shallow, baseModel: "elsewhere/\(folder.url.lastPathComponent)/shallow",
            into: folder.url.appendingPathComponent("relative"))
        let elsewhere = try ModelLoader.load(ModelRequest(model: shallow.path, adapter: relative.path))
        #expect(elsewhere.warnings.count == 1)  // "elsewhere/" is not part of the folder's path
        let named = try LoaderFixtures.adapter(
            .ln(LNTuningOptions()), for: shallow, baseModel: "\(folder.url.lastPathComponent)/shallow",
            into: folder.url.appendingPathComponent("named"))
        #expect(try ModelLoader.load(ModelRequest(model: shallow.path, adapter: named.path)).warnings.isEmpty)
        let other = try LoaderFixtures.adapter(
            .ln(LNTuningOptions()), for: shallow, baseModel: "openai-community/gpt2-medium",
            into: folder.url.appendingPathComponent("other"))
        let loaded = try ModelLoader.load(ModelRequest(model: shallow.path, adapter: other.path))
        #expect(
            loaded.warnings
                == [
                    .differentBaseModel(
                        adapter: other.path, recorded: "openai-community/gpt2-medium", model: shallow.path)
                ])
        #expect(loaded.adapter != nil)
    }

    /// A prefix that leaves fewer than two positions is refused — an adapter's when it is loaded, a training
    /// run's before any data is read — instead of yielding a negative maximum length.
    @Test func refusesAPrefixLongerThanTheContext() throws {
        let long = PrefixTuningOptions(virtualTokens: 63, projection: .direct)
        let path = try adapter(.prefix(long), for: shallow, named: "long-prefix")
        #expect(throws: LNTuneError.loading(.prefixTooLong(source: path, length: 63, positions: 64, minimumTokens: 2)))
        {
            try ModelLoader.load(ModelRequest(model: shallow.path, adapter: path))
        }
        let fits = try adapter(
            .prefix(PrefixTuningOptions(virtualTokens: 62, projection: .direct)), for: shallow, named: "fits")
        #expect(try ModelLoader.load(ModelRequest(model: shallow.path, adapter: fits)).maxSequenceLength == 2)

        let fixture = try TrainingFixture(.short(train: 4, dev: 2))  // 256 positions
        let settings = fixture.settings(method: .prefix(PrefixTuningOptions(virtualTokens: 300, projection: .direct)))
        #expect(
            throws: LNTuneError.loading(
                .prefixTooLong(source: "--prefix-length", length: 300, positions: 256, minimumTokens: 2))
        ) {
            try Trainer(settings: settings)
        }
    }
}
