import Foundation
import GPT2
import Tuning

/// A base model with an adapter applied: the weights an adapter replaces are written into the loaded base
/// parameters, and its prefix (if any) is what every forward puts in front of the tokens.
public struct AdaptedModel: Sendable {
    public let model: GPT2Model
    public let prefix: PrefixSlots?
    public let adapter: Adapter?

    /// Loads the model folder at `model` and, when given, the adapter folder at `adapter` on top of it.
    public static func load(model: URL, adapter: URL? = nil) throws(LNTuneError) -> AdaptedModel {
        let checkpoint: GPT2Checkpoint
        do {
            checkpoint = try GPT2Checkpoint.load(directory: model)
        } catch {
            throw .model(error)
        }
        var loaded: Adapter?
        if let adapter {
            do {
                let a = try AdapterFiles.read(from: adapter, modelConfig: checkpoint.config)
                try a.apply(to: checkpoint.parameters)
                loaded = a
            } catch {
                throw .tuning(error)
            }
        }
        do {
            return AdaptedModel(model: try GPT2Model(checkpoint: checkpoint), prefix: loaded?.prefix, adapter: loaded)
        } catch {
            throw .model(error)
        }
    }
}
