// The LNTune library: the pipeline a program calls. It imports the component modules without re-exporting
// them; what a program must name from them is listed in `ComponentTypes.swift`.

/// LNTune's version, written into run records and adapter configs.
public enum LNTuneVersion {
    public static let string = "0.1.0"
}
