#!/usr/bin/env python3
"""Writes data/sample/{train,dev,test}.csv: a small restaurant data-to-text set in the E2E CSV format.

Everything is the project's own: invented restaurant and landmark names, and sentences produced by the
small grammar below from random choices with a fixed seed, so the files are reproducible byte for byte and
contain no text from the E2E dataset. The meaning representations vary slots the way E2E does (name always,
then 2-7 of eatType, food, priceRange, customer rating, area, familyFriendly, near, in E2E's slot order).

Layout, like the real files: train.csv and dev.csv quote fields only when needed and end lines with CRLF;
train rows are shuffled so one MR's references are not contiguous; test.csv quotes every field, uses LF and
keeps each MR's references together. No MR occurs in two splits.

Usage: python3 eval/make_sample_data.py   (standard library only)
"""
import csv
import random
from pathlib import Path

SEED = 20240611
NAMES = [
    "The Copper Kettle", "Juniper Hall", "The Brass Lantern", "Saffron Court", "The Wandering Heron",
    "Pebble Lane", "The Gilded Spoon", "Marigold", "The Foxglove", "Bramble House", "The Salt Cellar",
    "Café Mirabel", "The Tin Whistle", "Oakhaven", "The Lantern Room", "Rosemary's", "The Drowsy Badger",
    "Thistle & Thyme", "The Red Kite", "Larkspur", "Brasserie Léon", "The Quiet Otter", "Nettlebed",
    "The Honey Pot", "Ember", "The Velvet Fig", "Wren's Nest", "The Old Granary", "Moonstone",
    "The Cobbled Yard",
]
LANDMARKS = [
    "Kestrel Park", "the Millstone Theatre", "Harbour Bridge", "St Aldwyn's Chapel", "Crane Street Market",
    "Café Lumière", "the Old Mill", "Larch Hill Station", "The Tin Whistle", "Marigold",
]
VALUES = {
    "eatType": ["pub", "coffee shop", "restaurant"],
    "food": ["English", "Italian", "French", "Chinese", "Indian", "Japanese", "Fast food"],
    "priceRange": ["cheap", "moderate", "high", "less than £20", "£20-25", "more than £30"],
    "customer rating": ["low", "average", "high", "1 out of 5", "3 out of 5", "5 out of 5"],
    "area": ["city centre", "riverside"],
    "familyFriendly": ["yes", "no"],
}
SLOT_ORDER = ["name", "eatType", "food", "priceRange", "customer rating", "area", "familyFriendly", "near"]


def article(word):
    return "an" if word[0].lower() in "aeiou" else "a"


def phrases(slot, value):
    """(attributive phrases, predicate phrases) expressing one fact."""
    if slot == "food":
        food = "fast food" if value == "Fast food" else f"{value} food"
        return ([f"serving {food}", f"offering {food}", f"with {food} on the menu"],
                [f"serves {food}", f"offers {food}", f"has {food} on the menu"])
    if slot == "priceRange":
        words = {
            "cheap": (["with cheap prices", "with low prices"], ["is cheap", "has low prices"]),
            "moderate": (["with moderate prices", "with average prices"], ["is moderately priced", "has average prices"]),
            "high": (["with high prices", "with expensive meals"], ["is expensive", "has high prices"]),
            "less than £20": (["with meals under £20", "where a meal costs less than £20"], ["charges less than £20", "has meals for under £20"]),
            "£20-25": (["with prices of £20-25", "where meals cost £20 to £25"], ["charges £20-25", "has prices between £20 and £25"]),
            "more than £30": (["with meals over £30", "where a meal costs more than £30"], ["charges more than £30", "has prices above £30"]),
        }
        return words[value]
    if slot == "customer rating":
        rating = f"a rating of {value}" if "out of" in value else f"{article(value)} {value} customer rating"
        return ([f"with {rating}", f"rated {value}" if "out of" in value else f"with {rating}"],
                [f"has {rating}", f"is rated {value} by customers" if "out of" in value else f"has {rating}"])
    if slot == "area":
        place = "the city centre" if value == "city centre" else "the riverside area"
        return ([f"in {place}", f"located in {place}"], [f"is in {place}", f"is located in {place}"])
    if slot == "familyFriendly":
        if value == "yes":
            return (["suitable for families", "welcoming children"], ["is family friendly", "welcomes children"])
        return (["not suitable for children", "unsuitable for families"], ["is not family friendly", "does not welcome children"])
    if slot == "near":
        return ([f"near {value}", f"close to {value}"], [f"is near {value}", f"is close to {value}"])
    raise ValueError(slot)


def realise(mr, rng):
    """One reference: an opening sentence with up to two facts, then the rest in one or two sentences."""
    name = mr["name"]
    kind = mr.get("eatType", "place")
    facts = [s for s in SLOT_ORDER if s in mr and s not in ("name", "eatType")]
    rng.shuffle(facts)
    first, rest = facts[:rng.choice([1, 2])], facts[2:] if len(facts) > 1 else []
    if len(first) == 1 and len(facts) > 1:
        rest = facts[1:]
    opening = rng.choice([f"{name} is {article(kind)} {kind}", f"There is {article(kind)} {kind} called {name}"])
    attributes = [rng.choice(phrases(s, mr[s])[0]) for s in first]
    sentences = [opening + (" " + rng.choice([" and ", ", "]).join(attributes) if attributes else "") + "."]
    while rest:
        chunk, rest = rest[:3], rest[3:]
        subject = rng.choice(["It", name, f"The {kind}"] + ([f"This {kind}"] if kind != "place" else []))
        predicates = [rng.choice(phrases(s, mr[s])[1]) for s in chunk]
        joined = predicates[0] if len(predicates) == 1 else ", ".join(predicates[:-1]) + " and " + predicates[-1]
        sentences.append(f"{subject} {joined}.")
    return " ".join(sentences)


def random_mr(rng):
    mr = {"name": rng.choice(NAMES)}
    optional = ["eatType", "food", "priceRange", "customer rating", "area", "familyFriendly", "near"]
    for slot in rng.sample(optional, rng.randint(2, 7)):
        mr[slot] = rng.choice(LANDMARKS if slot == "near" else VALUES[slot])
    if mr.get("near") == mr["name"]:
        mr["near"] = "Kestrel Park"
    return mr


def mr_string(mr):
    return ", ".join(f"{s}[{mr[s]}]" for s in SLOT_ORDER if s in mr)


def main():
    rng = random.Random(SEED)
    seen = set()

    def fresh_mrs(count):
        out = []
        while len(out) < count:
            mr = random_mr(rng)
            if mr_string(mr) not in seen:
                seen.add(mr_string(mr))
                out.append(mr)
        return out

    def rows(mrs, low, high):
        result = []
        for mr in mrs:
            refs = []
            while len(refs) < rng.randint(low, high) or not refs:
                ref = realise(mr, rng)
                if ref not in refs:
                    refs.append(ref)
                if len(refs) >= high:
                    break
            result += [(mr_string(mr), ref) for ref in refs]
        return result

    train = rows(fresh_mrs(120), 3, 5)
    rng.shuffle(train)
    dev = rows(fresh_mrs(15), 3, 4)
    test = rows(fresh_mrs(40), 2, 3)
    folder = Path(__file__).resolve().parent.parent / "data/sample"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data, quoting, newline in [
        ("train.csv", train, csv.QUOTE_MINIMAL, "\r\n"),
        ("dev.csv", dev, csv.QUOTE_MINIMAL, "\r\n"),
        ("test.csv", test, csv.QUOTE_ALL, "\n"),
    ]:
        with open(folder / name, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, quoting=quoting, lineterminator=newline)
            writer.writerow(["mr", "ref"])
            writer.writerows(data)
        print(f"data/sample/{name}: {len(data)} rows, {len({m for m, _ in data})} MRs")


if __name__ == "__main__":  # eval/make_tiny_model.py imports the grammar
    main()
