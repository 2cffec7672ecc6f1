// The LNTune library: the pipeline a program calls. It re-exports the component modules so that the
// `lntune` executable (and users of the library) need a single import.
@_exported import Datasets
@_exported import Decoding
@_exported import GPT2
@_exported import Kernels
@_exported import Metrics
@_exported import TextIO
@_exported import Tokenizers
@_exported import Tuning

/// LNTune's version, written into run records and adapter configs.
public enum LNTuneVersion {
    public static let string = "0.1.0"
}
