"""Texts and corpus builders for make_metric_fixtures.py: every sentence here was written for these tests
(hard cases for tokenizers, stemming and the metrics); nothing comes from shared data."""
import random

# Hard cases for tokenizers: mteval's digit rules around "," "." "-", HTML entities, <skipped>,
# hyphenation across a newline, Unicode spaces/punctuation/symbols/digits, case mappings that change
# length (İ), final sigma, the Kelvin sign, combining marks, CJK, emoji.
SENTENCES = [
    "The Eagle is a cheap coffee shop near Burger King.",
    "It costs $1,000.50 (approx.) or 1.000,50 EUR.",
    "Version 2.6.0 was released on 12.03.2024, not 2023.",
    "Call 555-1234 between 9-5; the 2-3 day window closes 10-20 min later.",
    "Lists: 1,2,3 and 4.5.6 but a,b,c and x.y.z too.",
    "Pi is about 3.14159. The year ended in 2019.",
    "U.S.A. and e.g., i.e. etc. are abbreviations...",
    "-5 degrees, 5- or -five; well-known x-ray.",
    "\"Quoted\" words, 'single quotes' and it's/don't.",
    "Entities: &amp; &lt;tag&gt; &quot;hi&quot; &amp;lt; &apos;",
    "Text with <skipped> marker and <skip<skipped>ped> nesting.",
    "A hyphen-\nated line and a plain\nbreak.",
    "Tabs\tand\u00a0no-break\u3000ideographic\u2009thin spaces\u200bzero-width.",
    "« Guillemets » and “smart quotes” — em dash – en dash … ellipsis",
    "¿Qué tal? ¡Hola! naïve café façade",
    "Straße, İstanbul, ΣΊΣΥΦΟΣ ΟΔΟΣ ΣΑΣ, Ϲ sigma",
    "The KELVIN sign \u212a and kelvin K differ; ǅ titlecase.",
    "日本語のテキスト。中文，标点！한국어 문장.",
    "Emoji 😀 👍🏽 and flags 🇬🇧 in text.",
    "e\u0301 versus é versus E\u0301.",
    "Fullwidth １２３ and ５．５, Roman Ⅻ, fraction ½, Arabic ٣٤.",
    "x² + y² = z², 50%, €50 and £20-25, 3×4=12.",
    "#hashtag @user path/to/file C++ C# a_b http://ex.com/a?b=c&d=1",
    "   leading and trailing spaces   ",
    "MiXeD CaSe WoRdS and ALL CAPS",
    "",
    "a",
    ".",
    "end.",
    "1.",
    "1,000",
    "$5.",
    "Alimentum is a family-friendly, moderately priced Italian restaurant by the river.",
    "Near the Café Sicilia, Zizzi serves cheap English food; customers rate it 5 out of 5.",
    "The Phoenix is a high-priced pub in the city centre; it isn't kid friendly.",
    "Loch Fyne, rated 3 out of 5, sells £20-25 French food near The Rice Boat.",
    "Ünïcödé ÀÉÎÕÜ àéîõü ÆØÅ æøå Łódź œ ﬁ ligature",
    "Repeated repeated repeated words words words.",
    "Numbers 10,000,000 and 0.5% and 1e-9 and 2^10.",
    "Dashes -- and --- and ‐ hyphen ‑ nb ‒ figure.",
]

# Pile-ups of mteval's digit rules, for the tokenizers only.
TOKENIZER_EXTRAS = [
    ".,.,", "1.-2", "a.1,b", "--5", "5--", "1,-2", "..1..", ". . 1", ",5", "5,", "-.5", "5.-", "a-1-b-2-",
    "x,,y..z", "9.9.9-9,9", "(1.5)", "[2,000]", "3.", ".3", "'3'", "a\u00a0.\u00a05", "1 . 2 , 3 - 4",
    "&amp;-1", "-\n1", "1-\n2", "&quot;1.&quot;", "A.B.C-1.2,3",
]

# A few English sentences for ROUGE and the word metrics.
PROSE = [
    "The cats were running quickly towards the happiest children in the park.",
    "A cat ran quickly to the happy child playing in the park.",
    "Generalizations about relational databases are conditionally useful.",
    "Organizations organize organizational meetings; organizers organized them.",
    "He hopped, hoping the hopping would stop; she was hopeful.",
    "Running runners run; the runner's runs were run-of-the-mill.",
    "The restaurant serves Italian food and is located in the city centre.",
    "Located in the city centre, the restaurant offers Italian food.",
    "Dialogue summarization condenses conversations into short summaries.",
    "The doctor advised #Person2# to see a pulmonary specialist tomorrow.",
]


def streams(refs):
    """Per-segment reference lists -> sacreBLEU reference streams, padded with None (dropped by it)."""
    width = max(len(r) for r in refs)
    return [[r[k] if k < len(r) else None for r in refs] for k in range(width)]


def random_corpus(seed, n, vocab, max_refs=4, empty_rate=0.05):
    """Segments built from a small vocabulary so n-grams of every order match sometimes."""
    rng = random.Random(seed)

    def sentence(base=None):
        if base is not None and rng.random() < 0.7:
            words = base.split()
            for _ in range(rng.randint(0, 4)):
                op = rng.random()
                if op < 0.4 and words:
                    words[rng.randrange(len(words))] = rng.choice(vocab)
                elif op < 0.7:
                    words.insert(rng.randrange(len(words) + 1), rng.choice(vocab))
                elif words:
                    del words[rng.randrange(len(words))]
            return " ".join(words)
        if rng.random() < empty_rate:
            return ""
        return " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 14)))

    hyps, refs = [], []
    for _ in range(n):
        base = sentence()
        hyps.append(sentence(base))
        refs.append([sentence(base) for _ in range(rng.randint(1, max_refs))])
    return hyps, refs


VOCAB = ("the a restaurant pub coffee shop near river city centre cheap expensive food Italian French "
         "English Chinese , . ; ! ? 5 3 out of rating high low family friendly not is has serves "
         "£20-25 1,000 2.5 U.S. it's don't café (good) \"nice\" x-ray").split()
