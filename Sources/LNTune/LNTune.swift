@_exported import GPT2

/// LNTune's version, written into run records and adapter configs.
public enum LNTuneVersion {
    public static let string = "0.1.0"
}
