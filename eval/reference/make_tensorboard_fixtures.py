"""TensorBoard fixtures: what TensorBoard's own code writes and reads, for LNTune's event files.

1. reference.tfevents + events.json: a fixed list of events (file version, scalars, a session start) as
   tensorboard's RecordWriter frames event_pb2.Event messages. The Swift test encodes the same list and
   compares bytes.
2. run/: a short `lntune train --report-to tensorboard --eval-metrics bleu,rouge` on the bundled tiny model,
   its train_log.jsonl and event file, and scalars.json = what tensorboard's EventAccumulator reads from that
   file ({tag: [[step, value], ...]}). The Swift test checks that the scalars TensorBoard sees are the log's.

    ../venv/bin/python eval/reference/make_tensorboard_fixtures.py --lntune .build/release/lntune
"""

import argparse
import json
import pathlib
import shutil
import subprocess
import tempfile

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.summary.writer.record_writer import RecordWriter

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "Fixtures" / "tensorboard"

# (wall_time, step, kind, payload): the kinds LNTune writes. Values cover 0, negatives, tiny and large
# floats, a step of 0 (left out by proto3) and a large step (a multi-byte varint).
EVENTS = [
    (1700000000.25, 0, "file_version", {"version": "brain.Event:2", "writer": "lntune"}),
    (1700000001.5, 1, "scalars", {"train/loss": 2.5, "train/learning_rate": 0.001, "train/grad_norm": 0.75,
                                  "train/tokens_per_second": 1234.5, "train/epoch": 0.0625}),
    (1700000002.0, 2, "scalars", {"train/loss": -0.0, "train/learning_rate": 1e-8, "train/epoch": 0.125}),
    (1700000003.125, 2, "scalars", {"eval/loss": 1.9375, "eval/bleu": 12.34, "eval/rougeL": 0.4567,
                                    "train/epoch": 0.125}),
    (1700000004.0, 3, "session_start", {}),
    (1700000005.0, 0, "scalars", {"eval/loss": 3.0}),
    (1700000006.0, 300000, "scalars", {"train/loss": 1e30, "train/epoch": 12345.678}),
]


def event(wall_time, step, kind, payload):
    e = event_pb2.Event(wall_time=wall_time, step=step)
    if kind == "file_version":
        e.file_version = payload["version"]
        e.source_metadata.writer = payload["writer"]
    elif kind == "scalars":
        e.summary.CopyFrom(summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag=t, simple_value=v) for t, v in payload.items()]))
    elif kind == "session_start":
        e.session_log.status = event_pb2.SessionLog.START
    return e


def write_reference():
    path = OUT / "reference.tfevents"
    with open(path, "wb") as f:
        writer = RecordWriter(f)
        for spec in EVENTS:
            writer.write(event(*spec).SerializeToString())
    listing = [{"wall_time": w, "step": s, "kind": k,
                "scalars": [[t, v] for t, v in p.items()] if k == "scalars" else [],
                "version": p.get("version"), "writer": p.get("writer")} for w, s, k, p in EVENTS]
    (OUT / "events.json").write_text(json.dumps(listing, indent=1) + "\n")


def read_scalars(folder):
    accumulator = EventAccumulator(str(folder), size_guidance={"scalars": 0})
    accumulator.Reload()
    return {tag: [[s.step, s.value] for s in accumulator.Scalars(tag)]
            for tag in sorted(accumulator.Tags()["scalars"])}


def write_run(lntune):
    with tempfile.TemporaryDirectory() as tmp:
        run = pathlib.Path(tmp) / "run"
        subprocess.run([
            lntune, "train", "--model", ROOT / "data/tiny-model", "--task", "e2e",
            "--train", ROOT / "data/sample/train.csv", "--dev", ROOT / "data/sample/dev.csv",
            "--max-steps", "8", "--eval-every", "4", "--batch-size", "4", "--lr", "1e-2",
            "--eval-metrics", "bleu,rouge", "--eval-samples", "4", "--eval-max-new-tokens", "16",
            "--report-to", "tensorboard", "--out", run], check=True, stdout=subprocess.DEVNULL)
        files = sorted((run / "tensorboard").glob("events.out.tfevents.*"))
        assert len(files) == 1, files
        target = OUT / "run"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        shutil.copy(files[0], target / "lntune.tfevents")
        shutil.copy(run / "train_log.jsonl", target / "train_log.jsonl")
        scalars = read_scalars(run / "tensorboard")
        (target / "scalars.json").write_text(json.dumps(scalars, indent=1, sort_keys=True) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lntune", required=True, help="the lntune executable (e.g. .build/release/lntune)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    write_reference()
    # What TensorBoard reads from the reference file: the session start at step 3 drops step-3+ data
    # logged before it (none here), the rest is there.
    check = read_scalars_file(OUT / "reference.tfevents")
    assert check["train/loss"][0] == [1, 2.5], check
    write_run(args.lntune)
    print("wrote", OUT)


def read_scalars_file(path):
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(path, pathlib.Path(tmp) / "events.out.tfevents.0.reference")
        return read_scalars(tmp)


if __name__ == "__main__":
    main()
