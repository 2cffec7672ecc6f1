#!/usr/bin/env python3
"""Writes the Metrics test fixtures (Tests/Fixtures/metrics/*.json) from the reference tools.

Reference implementations (versions pinned in requirements.txt):
  sacrebleu 2.6.0      BLEU (tokenizers 13a/intl/char/none), chrF/chrF++, TER
  rouge-score 0.1.2    ROUGE-1/2/L/Lsum, its tokenizer, nltk's PorterStemmer (NLTK_EXTENSIONS mode)
  nltk 3.10.4          corpus_nist / sentence_nist
  pycocoevalcap 1.2    Cider (CIDEr-D)
  numpy                percentile (the step of rouge-score's bootstrap that is reproducible)

Every text below is written for these tests (no shared data). With ../shared present the script also
writes shared_expected.json: scores of the real E2E and DialogSum test references (the first reference
as hypothesis, the others as references), numbers only.

Run: ../venv/bin/python eval/reference/make_metric_fixtures.py
"""
import csv
import json
import os
import random
import re
import sys
import unicodedata
from pathlib import Path

import numpy as np
import regex
import sacrebleu
from nltk.stem import porter
from nltk.translate.nist_score import corpus_nist, sentence_nist
from pycocoevalcap.cider.cider import Cider
from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU, CHRF, TER

sys.path.insert(0, str(Path(__file__).resolve().parent))
from metric_fixture_texts import PROSE, SENTENCES, TOKENIZER_EXTRAS, VOCAB, random_corpus, streams  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "Fixtures" / "metrics"
SHARED = ROOT.parent / "shared"

def write(name, obj):
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=None, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")


def bleu_cases():
    pairs = [(s, [s, PROSE[i % len(PROSE)], SENTENCES[(i + 7) % len(SENTENCES)]]) for i, s in enumerate(SENTENCES)]
    hand_h = [p[0].upper() if i % 5 == 0 else p[0] for i, p in enumerate(pairs)]
    hand_r = [p[1][: 1 + i % 3] for i, p in enumerate(pairs)]
    rand_h, rand_r = random_corpus(7, 120, VOCAB)
    corpora = {
        "handwritten": (hand_h, hand_r),
        "random": (rand_h, rand_r),
        "prose": (PROSE[1::2], [[p] for p in PROSE[0::2]]),
        "empty hypothesis": (["", "a b c"], [["a b c d"], ["a b c"]]),
        "all hypotheses empty": (["", ""], [["x y"], ["z"]]),
        "no n-gram match": (["alpha beta gamma"], [["delta epsilon zeta eta"]]),
        "only unigram matches": (["a x b y c"], [["a b c d e"]]),
        "short segments": (["a", "b c", "d"], [["a b c d e f"], ["b c"], ["e"]]),
        "brevity penalty": (["the cat"], [["the cat sat on the mat"]]),
        "longer than references": (["the the the the the the the"], [["the cat", "the"]]),
        "empty reference string": (["one two", "three"], [["one two", ""], [""]]),
        "varying reference counts": (["a b c d", "e f g", "h i"], [["a b c d"], ["e f", "f g", "e f g h"], ["h", "i", "h i", "x"]]),
        "reference length ties": (["a b c"], [["a b", "a b c d", "x"]]),
    }
    configs = [
        {"tokenize": t, "lowercase": lc, "smooth": sm, "smoothValue": sv, "effectiveOrder": eff}
        for t in ["13a", "intl", "char", "none"]
        for lc, sm, sv, eff in [(False, "exp", None, False), (True, "exp", None, True)]
    ] + [
        {"tokenize": "13a", "lowercase": False, "smooth": sm, "smoothValue": sv, "effectiveOrder": eff}
        for sm, sv, eff in [("floor", None, False), ("floor", 0.5, True), ("add-k", None, False),
                            ("add-k", 2.0, True), ("none", None, False), ("none", None, True)]
    ]
    # The options of issue 17: max_ngram_order 2 and 6, smooth_value for floor and add-k, effective order on
    # corpora of short sentences (where orders above the shortest hypothesis have no n-gram at all).
    corpora["short sentences"] = (["yes", "no way", "a b c", "x y", "it is here"],
                                  [["yes"], ["no way out"], ["a b c"], ["y x"], ["it is there", "it is here now"]])
    corpora["one short sentence"] = (["good morning"], [["good morning to you"]])
    option_configs = [
        {"tokenize": "13a", "lowercase": False, "smooth": sm, "smoothValue": sv, "effectiveOrder": eff,
         "maxNGramOrder": n}
        for n, sm, sv, eff in [(2, "exp", None, False), (2, "none", None, True), (6, "exp", None, False),
                               (6, "floor", 0.01, True), (6, "add-k", 0.5, False), (2, "floor", 0.3, False),
                               (4, "floor", 0.0, False), (4, "floor", 2.5, True), (4, "add-k", 0.0, True),
                               (4, "add-k", 3.0, False), (4, "exp", None, True), (4, "none", None, True)]
    ]
    option_corpora = ["handwritten", "random", "short segments", "short sentences", "one short sentence",
                      "no n-gram match", "only unigram matches"]
    cases = []
    for name, (hyps, refs) in corpora.items():
        base = (configs if name in ("handwritten", "random") else configs[:2] + configs[8:])
        if name in ("short sentences", "one short sentence"):
            base = []
        for cfg in base + (option_configs if name in option_corpora else []):
            order = cfg.get("maxNGramOrder", 4)
            bleu = BLEU(tokenize=cfg["tokenize"], lowercase=cfg["lowercase"], smooth_method=cfg["smooth"],
                        smooth_value=cfg["smoothValue"], effective_order=cfg["effectiveOrder"],
                        max_ngram_order=order)
            stats = bleu._extract_corpus_statistics(hyps, streams(refs))
            score = bleu.corpus_score(hyps, streams(refs))
            sentence = BLEU(tokenize=cfg["tokenize"], lowercase=cfg["lowercase"], smooth_method=cfg["smooth"],
                            smooth_value=cfg["smoothValue"], effective_order=True, max_ngram_order=order)
            cases.append({
                "name": f"{name} / {cfg}", "corpus": name, "options": cfg,
                "score": score.score, "counts": score.counts, "totals": score.totals, "sysLen": score.sys_len,
                "refLen": score.ref_len, "bp": score.bp, "precisions": score.precisions,
                "signature": str(bleu.get_signature()), "segmentStatistics": [list(map(int, s)) for s in stats],
                "sentenceScores": [sentence.sentence_score(h, r).score for h, r in zip(hyps, refs)],
            })
    return with_corpora(corpora, cases)


def with_corpora(corpora, cases):
    """Each corpus is stored once; cases name theirs."""
    return {"corpora": {name: {"hypotheses": h, "references": r} for name, (h, r) in corpora.items()},
            "cases": cases}


def tokenizer_cases():
    cases = []
    for t in ["13a", "intl", "char", "none"]:
        for lc in [False, True]:
            bleu = BLEU(tokenize=t, lowercase=lc)
            inputs = SENTENCES + TOKENIZER_EXTRAS
            cases.append({"tokenize": t, "lowercase": lc, "inputs": inputs,
                          "outputs": [bleu._preprocess_segment(s) for s in inputs]})
    return cases


def chrf_cases():
    hand_h = SENTENCES[::2] + PROSE[1::2]
    hand_r = [[s, SENTENCES[(i + 3) % len(SENTENCES)]][: 1 + i % 2] for i, s in enumerate(SENTENCES[1::2])]
    hand_r += [[p] for p in PROSE[0::2]]
    rand_h, rand_r = random_corpus(11, 60, VOCAB)
    # Runs of spaces, tabs, no-break and ideographic spaces, leading/trailing blanks: what --chrf-whitespace keeps.
    spaced_h = ["a  b\tc", "  lead and trail  ", "word\u00a0word", "日本\u3000語", "x y", "no-space"]
    spaced_r = [["a b c", "a\tb  c"], ["lead and trail"], ["word word"], ["日本語"], ["x  y"], ["no space"]]
    corpora = {"handwritten": (hand_h, hand_r), "random": (rand_h, rand_r),
               "empty and tiny": (["", "a", "ab c"], [["abc"], [""], ["ab c", "c"]]),
               "whitespace": (spaced_h, spaced_r)}
    base = [{}, {"word_order": 2}, {"lowercase": True}, {"whitespace": True},
            {"eps_smoothing": True}, {"word_order": 2, "eps_smoothing": True}, {"char_order": 4, "beta": 1}]
    # The options of issue 17 (beta, eps_smoothing, whitespace), alone and together, for chrF and chrF++.
    options = [{"beta": 1}, {"beta": 3}, {"beta": 10}, {"word_order": 2, "beta": 1},
               {"whitespace": True, "beta": 3}, {"whitespace": True, "word_order": 2},
               {"eps_smoothing": True, "beta": 3}, {"whitespace": True, "eps_smoothing": True, "lowercase": True}]
    cases = []
    for name, (hyps, refs) in corpora.items():
        configs = ([] if name == "whitespace" else base) + (options if name != "random" else [])
        configs += [{}, {"whitespace": True}, {"word_order": 2}] if name == "whitespace" else []
        for cfg in configs:
            chrf = CHRF(**cfg)
            score = chrf.corpus_score(hyps, streams(refs))
            cases.append({
                "name": f"{name} / {cfg}", "corpus": name,
                "options": {"charOrder": chrf.char_order, "wordOrder": chrf.word_order, "beta": chrf.beta,
                            "lowercase": chrf.lowercase, "whitespace": chrf.whitespace, "epsSmoothing": chrf.eps_smoothing},
                "score": score.score, "name_": score.name, "signature": str(chrf.get_signature()),
                "segmentStatistics": chrf._extract_corpus_statistics(hyps, streams(refs)),
            })
    return with_corpora(corpora, cases)


def ter_cases():
    rng = random.Random(5)
    words = "a b c d e f g h i j k l m n o p".split()
    shifted_h, shifted_r = [], []
    for _ in range(40):  # block moves make Tercom shift
        ref = [rng.choice(words) for _ in range(rng.randint(3, 30))]
        hyp = list(ref)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(hyp))
            j = min(len(hyp), i + rng.randint(1, 4))
            block = hyp[i:j]
            del hyp[i:j]
            k = rng.randrange(len(hyp) + 1)
            hyp[k:k] = block
        if rng.random() < 0.3:
            hyp[rng.randrange(len(hyp))] = rng.choice(words)
        shifted_h.append(" ".join(hyp))
        shifted_r.append([" ".join(ref)])
    long_ref = " ".join(f"w{i % 37}" for i in range(140))  # longer than the 50-word shift distance
    long_hyp = " ".join(f"w{(i * 7) % 37}" for i in range(90))
    rand_h, rand_r = random_corpus(13, 60, VOCAB)
    corpora = {
        "shifts": (shifted_h, shifted_r), "random": (rand_h, rand_r),
        "handwritten": (SENTENCES[1::2], [[s, p] for s, p in zip(SENTENCES[::2], PROSE * 3)]),
        "long": ([long_hyp, long_ref[:200]], [[long_ref], [long_hyp]]),
        "empty": (["", "a b", ""], [["x y z"], [""], [""]]),
        "length ratio beyond beam": (["a"], [[" ".join(["a", "b"] * 40)]]),
        # CJK ideographs, kana (Hiragana/Katakana alone and mixed), CJK and full-width punctuation, Hangul,
        # compatibility forms, enclosed letters: what asian_support splits or removes.
        "asian": (["日本語のテキストです。", "中文，标点！測試", "ひらがな", "カタカナ", "これは「引用」です、はい。",
                   "㈱会社㍻ （全角） ．，？", "한국어 문장입니다.", "mixed 英語 and 日本語 text", "ｶﾀｶﾅ・半角"],
                  [["日本語 の テキスト です 。"], ["中文, 标点! 测试"], ["ひらがな"], ["カタカナ です"],
                   ["これは引用です、はい"], ["㈱ 会社 ㍻ (全角) . , ?"], ["한국어 문장 입니다"],
                   ["mixed 英 語 and 日本 語 text"], ["カタカナ・半角"]]),
        # Every character --ter-no-punct removes, inside words, alone and doubled, next to digits.
        "punctuation": (["Hello, world! (yes) \"quoted\"; a:b?", "3.14, 1,000. end.", "...!!!???", "no punct here"],
                        [["hello world yes quoted a b"], ["3 14 1 000 end"], ["!"], ["no punct here."]]),
    }
    cases = []
    for name, (hyps, refs) in corpora.items():
        base = [{}, {"normalized": True}, {"no_punct": True}, {"case_sensitive": True},
                {"normalized": True, "no_punct": True, "case_sensitive": True}]
        # The options of issue 17 with asian_support, which changes nothing without normalized or no_punct.
        asian = [{"asian_support": True}, {"normalized": True, "asian_support": True},
                 {"no_punct": True, "asian_support": True},
                 {"normalized": True, "no_punct": True, "asian_support": True, "case_sensitive": True}]
        for cfg in base + (asian if name in ("asian", "punctuation", "handwritten") else []):
            ter = TER(**cfg)
            score = ter.corpus_score(hyps, streams(refs))
            cases.append({
                "name": f"{name} / {cfg}", "corpus": name,
                "options": {"normalized": ter.normalized, "noPunctuation": ter.no_punct, "caseSensitive": ter.case_sensitive,
                            "asianSupport": ter.asian_support},
                "score": score.score, "signature": str(ter.get_signature()),
                "segmentStatistics": [[int(e), float(r)] for e, r in ter._extract_corpus_statistics(hyps, streams(refs))],
            })
    return with_corpora(corpora, cases)


def rouge_cases():
    examples = [
        (["The cat sat on the mat."], "The cat is on the mat."),
        ([PROSE[0], PROSE[2]], PROSE[1]),
        ([PROSE[3]], PROSE[4]),
        ([PROSE[5], PROSE[6], PROSE[7]], PROSE[7]),
        (["First sentence here.\nSecond one follows.\n\nThird after blank."], "Second one follows.\nFirst sentence."),
        (["a b c\nb c a\nc a b"], "a b c a b c\nb"),
        (["the the the the\nthe cat"], "the cat the\nthe the"),
        (["Naïve café in Zürich; KELVIN \u212a and İstanbul.", "Ünïcödé words"], "Naive cafe in Zurich, kelvin k, istanbul"),
        (["1,000 items cost $5.99"], "1000 items cost 5 99"),
        (["!!! ???"], "..."),
        ([""], "something"),
        (["something"], ""),
        (["\n\n"], "\n"),
        (["  \n  "], "a\n b"),
        (["Generalization generalizations generally general"], "generalize the generalized general"),
        ([SENTENCES[i] for i in range(0, 12)], SENTENCES[12]),
    ]
    rng = random.Random(17)
    for _ in range(40):
        targets = [" ".join(rng.choice(VOCAB) for _ in range(rng.randint(0, 25))) + ("\n" + " ".join(
            rng.choice(VOCAB) for _ in range(rng.randint(0, 8))) if rng.random() < 0.5 else "") for _ in range(rng.randint(1, 3))]
        examples.append((targets, " ".join(rng.choice(VOCAB) for _ in range(rng.randint(0, 25)))))
    types = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
    cases = []
    for stem in [False, True]:
        scorer = rouge_scorer.RougeScorer(types + ["rouge3"], use_stemmer=stem)
        scores = [scorer.score_multi(t, p) for t, p in examples]
        cases.append({
            "useStemmer": stem, "types": types + ["rouge3"],
            "examples": [{"targets": t, "prediction": p} for t, p in examples],
            "expected": [[[s[k].precision, s[k].recall, s[k].fmeasure] for k in types + ["rouge3"]] for s in scores],
            "tokens": [scorer._tokenizer.tokenize(s) for s in SENTENCES + PROSE],
            "tokenizerInputs": SENTENCES + PROSE,
        })
    return cases


def porter_words():
    """Stemmer vocabulary: words of Python's own stdlib sources (a large body of English that is not
    shared data), the words of this script's texts, and every suffix rule applied to stems."""
    counts = {}
    stdlib = Path(os.__file__).parent
    for path in sorted(stdlib.glob("*.py")):
        for word in re.findall(r"[a-z]+", path.read_text(encoding="utf-8", errors="ignore").lower()):
            counts[word] = counts.get(word, 0) + 1
    words = set(w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:6000])
    for text in SENTENCES + PROSE:
        words.update(re.findall(r"[a-z0-9]+", text.lower()))
    stems = ("relat condit valen hesit digit conform radic differ vil analog vietnam predic oper feud decis "
             "hope call form sensit sensib triplic electr good reviv allow infer airlin gyroscop adjust defens "
             "irrit replac depend adopt homolog commun activ angular effect bowdler prob rat ceas control roll "
             "fl sp happ sk enjoy agr fe bl mot s hop tann fall hiss fizz fail fil conflat troubl siz geo theo "
             "archaeo philo y yy by toy syzyg d t l cr tr pl gener organ nation").split()
    suffixes = ("s es ies sses ss ied ed eed ing ings y ly ational tional enci anci izer bli abli alli entli eli "
                "ousli ization ation ator alism iveness fulness ousness aliti iviti biliti fulli logi icate ative "
                "alize iciti ical ful ness al ance ence er ic able ible ant ement ment ent ion sion tion ou ism "
                "ate iti ous ive ize e ll at bl iz").split()
    words.update(s + x for s in stems for x in suffixes)
    words.update(["sky", "skies", "dying", "lying", "tying", "news", "innings", "inning", "outings", "outing",
                  "cannings", "canning", "howe", "proceed", "exceed", "succeed", "ies", "dies", "spied", "died",
                  "yyyy", "yyyyy", "ayyy", "ab12", "1234", "abc123ing", "x2ed", "aeiou", "bcdfg", "feed",
                  "agreed", "plastered", "bled", "motoring", "sing", "hopping", "tanned", "falling", "hissing",
                  "fizzed", "failing", "filing", "happy", "enjoy", "controll", "rate", "cease", "probate"])
    return sorted(words)


def porter_cases():
    stemmer = porter.PorterStemmer()
    words = porter_words()
    return {"mode": stemmer.mode, "words": words, "stems": [stemmer.stem(w) for w in words]}


_TOKENIZERS = {}


def tokens(text, tok="13a", lowercase=False):
    """The tokens NIST and CIDEr are fed: sacreBLEU's preprocessing (lowercase, rstrip, tokenize), split."""
    if (tok, lowercase) not in _TOKENIZERS:
        _TOKENIZERS[(tok, lowercase)] = BLEU(tokenize=tok, lowercase=lowercase)
    return _TOKENIZERS[(tok, lowercase)]._preprocess_segment(text).split()


def nltk_sentence_nist(refs, hyp):
    """sentence_nist, or None where nltk divides by zero (a hypothesis shorter than 5 tokens)."""
    try:
        return sentence_nist(refs, hyp, 5)
    except ZeroDivisionError:
        return None


def nist_cider_cases():
    rand_h, rand_r = random_corpus(23, 50, VOCAB, empty_rate=0)
    corpora = {
        "handwritten": (SENTENCES[1::2], [[s, p] for s, p in zip(SENTENCES[::2], PROSE * 3)]),
        "prose": (PROSE[1::2], [[p, q] for p, q in zip(PROSE[0::2], PROSE[2::2] + PROSE[:1])]),
        "random": (rand_h, rand_r),
    }
    cases = []
    for name, (hyps, refs) in corpora.items():
        for tok, lc in [("13a", False), ("13a", True), ("intl", False), ("none", False)]:
            th = [tokens(h, tok, lc) for h in hyps]
            tr = [[tokens(r, tok, lc) for r in rs] for rs in refs]
            corpus, segments = Cider().compute_score({i: [" ".join(r) for r in tr[i]] for i in range(len(th))},
                                                     {i: [" ".join(th[i])] for i in range(len(th))})
            cases.append({
                "name": f"{name} / {tok} lowercase={lc}", "corpus": name,
                "tokenize": tok, "lowercase": lc, "nist": corpus_nist(tr, th, 5),
                "sentenceNist": [nltk_sentence_nist(r, h) for h, r in zip(th, tr)],
                "cider": float(corpus), "ciderSegments": [float(s) for s in segments],
            })
    return with_corpora(corpora, cases)


def unicode_tables():
    def ranges(pred):
        out, start = [], None
        for c in range(0x110001):
            inside = c < 0x110000 and not (0xD800 <= c <= 0xDFFF) and pred(chr(c))
            if inside and start is None:
                start = c
            elif not inside and start is not None:
                out.append([start, c - 1])
                start = None
        return out

    p, s, n = regex.compile(r"\p{P}"), regex.compile(r"\p{S}"), regex.compile(r"\p{N}")
    lower = [[c, [ord(x) for x in chr(c).lower()]] for c in range(0x110000)
             if not (0xD800 <= c <= 0xDFFF) and chr(c).lower() != chr(c) and c != 0x3A3]
    sigma = ["ΟΔΟΣ", "ΟΔΟΣ ΣΑΣ", "Σ", "ΑΣ.", "Α\u0301Σ", "ΑΣ\u0301Β", "ΑΣ'", "'Σ", "ΑΣ1", "1Σ", "ΣΑ"]
    return {
        "pythonUnicode": unicodedata.unidata_version, "regexVersion": regex.__version__,
        "space": [c for c in range(0x110000) if chr(c).isspace()],
        "punctuation": ranges(lambda ch: p.match(ch)), "symbol": ranges(lambda ch: s.match(ch)),
        "number": ranges(lambda ch: n.match(ch)),
        "lowercase": lower, "sigmaInputs": sigma, "sigmaOutputs": [x.lower() for x in sigma],
    }


def percentile_cases():
    rng = np.random.default_rng(3)
    cases = []
    for n in [1, 2, 3, 7, 10, 101, 1000]:
        values = rng.random(n).tolist()
        # rouge-score's q for confidence c: 100 * [(1 - c) / 2, 0.5, 1 - (1 - c) / 2], for c = 0.95, 0.9, 0.99.
        levels = [100 * q for c in (0.95, 0.9, 0.99) for q in ((1 - c) / 2, 1 - (1 - c) / 2)]
        qs = [0.0, 2.5, 25.0, 50.0, 97.5, 100.0] + levels[:2] + [100 * 0.5, 33.3] + levels[2:]
        cases.append({"values": values, "q": qs, "expected": [float(np.percentile(values, q)) for q in qs]})
    return cases


def shared_corpora():
    """The E2E test set (first reference vs the others, MRs with >= 2 references) and the DialogSum test set
    (summary1 vs summary2 and summary3), exactly as Sources/Benchmarks/BenchmarkCorpora.swift builds them."""
    groups, order = {}, []
    with open(SHARED / "datasets/e2e/testset_w_refs.csv", newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for mr, ref in reader:
            if mr not in groups:
                groups[mr] = []
                order.append(mr)
            groups[mr].append(ref)
    e2e = [(groups[m][0], groups[m][1:]) for m in order if len(groups[m]) >= 2]
    dialogsum = []
    with open(SHARED / "datasets/dialogsum/dialogsum.test.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                dialogsum.append((row["summary1"], [row["summary2"], row["summary3"]]))
    return {"e2e": e2e, "dialogsum": dialogsum}


def shared_expected():
    out = {}
    types = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
    for name, pairs in shared_corpora().items():
        hyps, refs = [h for h, _ in pairs], [r for _, r in pairs]
        bleu = BLEU()
        b = bleu.corpus_score(hyps, streams(refs))
        scorer = rouge_scorer.RougeScorer(types, use_stemmer=True)
        rs = [scorer.score_multi(r, h) for h, r in pairs]
        th, tr = [tokens(h) for h in hyps], [[tokens(x) for x in r] for r in refs]
        cider, _ = Cider().compute_score({i: [" ".join(x) for x in tr[i]] for i in range(len(th))},
                                         {i: [" ".join(th[i])] for i in range(len(th))})
        out[name] = {
            "segments": len(pairs), "bleu": b.score, "bleuCounts": b.counts, "bleuTotals": b.totals,
            "bleuSysLen": b.sys_len, "bleuRefLen": b.ref_len, "bleuSignature": str(bleu.get_signature()),
            "chrf": CHRF().corpus_score(hyps, streams(refs)).score,
            "chrfpp": CHRF(word_order=2).corpus_score(hyps, streams(refs)).score,
            "ter": TER().corpus_score(hyps, streams(refs)).score,
            "rougeStemmedMeanF": {k: float(np.mean([s[k].fmeasure for s in rs])) for k in types},
            "nist": corpus_nist(tr, th, 5), "cider": float(cider),
        }
    return out


def main():
    """Writes every fixture, or only those named on the command line (e.g. `bleu ter`)."""
    assert sacrebleu.__version__ == "2.6.0", sacrebleu.__version__
    fixtures = {
        "bleu": bleu_cases, "bleu_tokenizers": tokenizer_cases, "chrf": chrf_cases, "ter": ter_cases,
        "rouge": rouge_cases, "porter": porter_cases, "nist_cider": nist_cider_cases, "unicode": unicode_tables,
        "percentile": percentile_cases, "shared_expected": shared_expected,
    }
    for name, make in fixtures.items():
        if len(sys.argv) > 1 and name not in sys.argv[1:]:
            continue
        if name == "shared_expected" and not SHARED.is_dir():
            print(f"{SHARED} absent: shared_expected.json not regenerated", file=sys.stderr)
            continue
        write(f"{name}.json", make())


if __name__ == "__main__":
    main()
