import Datasets
import Decoding
import Metrics
import Tokenizers
import Tuning

// The component types a program using LNTune has to name — option values it parses, entry points it calls —
// and nothing more: LNTune imports its component modules without re-exporting them, so the `lntune`
// executable reaches them only through LNTune's own API and these names. Add one only with a caller.

// Option values (`lntune` parses the choices straight into these).
public typealias DatasetTask = Datasets.DatasetTask
public typealias OnBadRow = Datasets.OnBadRow
public typealias LearningRateShape = LearningRateSchedule.Shape
public typealias SpecialTokenPolicy = Tokenizers.SpecialTokenPolicy
public typealias GenerationPreset = Decoding.GenerationPreset
public typealias EarlyStopping = Decoding.EarlyStopping
public typealias MetricName = Metrics.MetricName
public typealias BLEUTokenizer = Metrics.BLEUTokenizer
public typealias BLEUSmoothing = Metrics.BLEU.Smoothing

// `lntune train --method` and its options: the method registry parses them into a configuration.
public typealias TuningMethods = Tuning.TuningMethods
public typealias TuningConfiguration = Tuning.TuningConfiguration

// `lntune score` is a front end of the Metrics scorer; `lntune tokenize` and `perplexity` read text lines.
public typealias Scorer = Metrics.Scorer
public typealias ScoringCorpus = Metrics.ScoringCorpus
public typealias ScoringOptions = Metrics.ScoringOptions
public typealias LineInput = Tokenizers.LineInput

// What `Generator.parameters(_:)` returns and its decoding calls take.
public typealias GenerateParameters = Decoding.GenerateParameters
public typealias SequenceBias = Decoding.SequenceBias
