import Foundation
import LNTune
import TestSupport
import Testing

/// A model folder's `generation_config.json` supplies decoding defaults as in transformers: flags override it, an
/// explicit `--preset` replaces it, and every key it cannot honour is refused naming the file and the key.
@Suite struct GenerationConfigTests {
    static func file(_ json: String) throws -> (TemporaryFolder, URL) {
        let folder = try TemporaryFolder()
        let url = try folder.write(json, to: GenerationConfigFile.fileName)
        return (folder, url)
    }

    /// GPT-2's own file (metadata, bos, eos) and a full one: the file's values sit between the preset and the flags.
    @Test func fileSetsDefaultsUnderFlags() throws {
        let (folder, _) = try Self.file(
            """
            {"_from_model_config": true, "bos_token_id": 5, "eos_token_id": [7, 9], "transformers_version": "5.23.0",
             "num_beams": 3, "length_penalty": 0.5, "early_stopping": "never", "max_new_tokens": 12, "top_k": null,
             "sequence_bias": [[[1, 2], -1.5]], "forced_eos_token_id": 9, "min_length": 4, "use_cache": true,
             "min_p": null}
            """)
        let file = try #require(try GenerationConfigFile.read(folder: folder.url))
        #expect(
            file.keys == [
                "early_stopping", "eos_token_id", "forced_eos_token_id", "length_penalty", "max_new_tokens",
                "min_length", "num_beams", "sequence_bias",
            ])
        var choice = DecodingChoice()
        choice.configFile = file
        choice.numBeams = 2
        let p = try choice.parameters(endOfText: 0) { _ in [] }
        #expect(p.eosTokenIds == [7, 9] && p.forcedEosTokenIds == [9] && p.minLength == 4)
        #expect(p.numBeams == 2 && p.lengthPenalty == 0.5 && p.earlyStopping == .never && p.maxNewTokens == 12)
        #expect(p.sequenceBias == [SequenceBias(tokens: [1, 2], bias: -1.5)])
        #expect(choice.configFileSummary.contains("defaults from") && choice.configFileSummary.contains("num_beams"))
        // A preset named on the command line sets everything; the file is left out, and the line says so.
        choice.presetGiven = true
        let preset = try choice.parameters(endOfText: 0) { _ in [] }
        #expect(preset.eosTokenIds == [0] && preset.minLength == 0 && preset.maxNewTokens == 100)
        #expect(choice.configFileSummary.contains("ignored"))
        #expect(try GenerationConfigFile.read(folder: folder.url.appendingPathComponent("none")) == nil)
    }

    /// Unknown keys, keys LNTune does not implement, and values of the wrong type name the file and the key.
    @Test(arguments: [
        (#"{"num_beams": 2, "beam_width": 3}"#, "beam_width"),
        (#"{"penalty_alpha": 0.6}"#, "penalty_alpha"),
        (#"{"do_sample": 1}"#, "do_sample"),
        (#"{"top_k": 2.5}"#, "top_k"),
        (#"{"eos_token_id": "x"}"#, "eos_token_id"),
        (#"{"early_stopping": "sometimes"}"#, "early_stopping"),
        (#"{"sequence_bias": [[[1], -1.0, 3]]}"#, "sequence_bias"),
        (#"{"max_length": 0}"#, "max_length"),
        ("[1, 2]", ""),
        ("{\"top_p\": 0.5,", ""),
    ])
    func badFilesNameFileAndKey(json: String, key: String) throws {
        let (folder, url) = try Self.file(json)
        #expect {
            _ = try GenerationConfigFile.read(folder: folder.url)
        } throws: { error in
            guard case .generation(.badGenerationConfig(let path, let got, _))? = error as? LNTuneError else {
                return false
            }
            return path == url.path && got == key && "\(error)".contains(url.path)
        }
    }

    /// `max_length` counts the prompt; without `max_new_tokens` in the file or on the command line it is refused.
    @Test func maxLengthNeedsMaxNewTokens() throws {
        let (folder, _) = try Self.file(#"{"max_length": 50}"#)
        var choice = DecodingChoice()
        choice.configFile = try GenerationConfigFile.read(folder: folder.url)
        #expect(throws: LNTuneError.self) { try choice.parameters(endOfText: 0) { _ in [] } }
        choice.maxNewTokens = 8
        #expect(try choice.parameters(endOfText: 0) { _ in [] }.maxNewTokens == 8)
    }
}

/// `--revision` resolves a hub name in the cache as huggingface_hub does: `refs/<revision>` holds a commit, else
/// the revision names a snapshot itself; a missing revision lists what the cache has.
@Suite struct RevisionTests {
    static let commits = ["1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"]

    static func cache() throws -> TemporaryFolder {
        let cache = try TemporaryFolder()
        let repo = "models--org--tiny"
        for commit in commits {
            try cache.write("{}", to: "\(repo)/snapshots/\(commit)/config.json")
        }
        try cache.write(commits[0], to: "\(repo)/refs/main")
        try cache.write(commits[1] + "\n", to: "\(repo)/refs/v1.0")
        try cache.write(commits[1], to: "\(repo)/refs/refs/pr/3")
        return cache
    }

    static func settings(_ cache: TemporaryFolder) -> HubSettings {
        HubSettings(cacheDirectory: cache.url, endpoint: URL(fileURLWithPath: "/"), token: nil)
    }

    @Test func refsTagsPullRequestsAndCommits() throws {
        let cache = try Self.cache()
        let s = Self.settings(cache)
        func resolve(_ revision: String) throws -> String {
            try ModelResolver.resolve("org/tiny", revision: revision, settings: s).lastPathComponent
        }
        #expect(try resolve("main") == Self.commits[0])
        #expect(try resolve("v1.0") == Self.commits[1])
        #expect(try resolve("refs/pr/3") == Self.commits[1])
        #expect(try resolve(Self.commits[0]) == Self.commits[0])
        #expect {
            try resolve("v2")
        } throws: { error in
            guard case .hub(.revisionNotInCache(_, "v2", _, let available))? = error as? LNTuneError else {
                return false
            }
            return available == Self.commits + ["main", "refs/pr/3", "v1.0"]
                && "\(error)".contains("available: \(Self.commits[0])")
        }
    }
}
