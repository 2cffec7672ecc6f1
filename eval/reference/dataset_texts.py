"""The text fields of every dataset file in ../shared/datasets, extracted by simple generic rules
that the Swift test (Tests/TokenizersTests/DatasetTexts.swift) implements identically:

- `.csv`   RFC 4180; the header row names the fields; each later record adds one text per column.
- `.jsonl` each non-empty line is a JSON value, walked as below, in line order.
- `.json`  the JSON value, walked: objects by key in code-point order, arrays in order; a string is
           a text of the field named by the nearest enclosing object key ("" at top level);
           numbers, booleans and null are skipped.
- `.xml`   every element without child elements is a text of the field named by its tag, in
           document order; its text is all its character data (entities decoded, "" if none).
- `.txt`   (E2E prefix-tuning format) each line is `SOURCE||TARGET`: fields `source` and `target`.
Other files (README, SHA256SUMS, the zip) are not datasets. Fields are listed in code-point order.
"""

import csv
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

DATASET_SUFFIXES = {".csv", ".jsonl", ".json", ".xml", ".txt"}


def walk(value, key: str, out: dict) -> None:
    if isinstance(value, dict):
        for k in sorted(value):
            walk(value[k], k, out)
    elif isinstance(value, list):
        for item in value:
            walk(item, key, out)
    elif isinstance(value, str):
        out[key].append(value)


def file_fields(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    suffix = path.suffix
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        header, records = rows[0], rows[1:]
        for record in records:
            assert len(record) == len(header), f"{path}: ragged record {record!r}"
            for name, text in zip(header, record):
                out[name].append(text)
    elif suffix == ".jsonl":
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                walk(json.loads(line), "", out)
    elif suffix == ".json":
        walk(json.loads(path.read_text(encoding="utf-8")), "", out)
    elif suffix == ".xml":
        for element in ET.parse(path).getroot().iter():
            if len(element) == 0:
                out[element.tag].append(element.text or "")
    elif suffix == ".txt":
        lines = path.read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for line in lines:
            source, target = line.split("||", 1)
            out["source"].append(source)
            out["target"].append(target)
    return dict(out)


def dataset_fields(root: Path):
    """Yields (path relative to root, [(field, texts)]) for every dataset file, in path order."""
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in DATASET_SUFFIXES):
        fields = file_fields(path)
        yield str(path.relative_to(root)), [(name, fields[name]) for name in sorted(fields)]
