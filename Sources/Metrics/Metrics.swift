// The Metrics module: BLEU, chrF, TER (as sacreBLEU 2.6.0), ROUGE (as rouge-score 0.1.2), NIST (as nltk's
// corpus_nist) and CIDEr-D (as pycocoevalcap 1.2), each tokenize → sufficient statistics → score, plus
// the file reading and reporting behind `lntune score`. Foundation only. METEOR is not implemented yet.
