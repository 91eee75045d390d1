"""Quality of the analysis engine on public labelled posts, measured through `ecoute analyze` itself.

    python benchmarks/analysis_quality.py [--data ../shared/data] [--json results.json]

Reports macro-F1 of sentiment on the XLM-T tweets (French and English val splits) out of the
box and after `ecoute train --data <the matching train split>`, complaint detection on the
Preoțiuc-Pietro complaints (dev half), language accuracy on the XLM-T tweets, and a secondary
French polarity check on Allociné reviews (dev). The evaluation data is converted in a
temporary folder at run time and never written into the repository: its licences allow
evaluation only.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SENTIMENT = ("negative", "neutral", "positive")


def macro_f1(truth: Sequence[object], predicted: Sequence[object], labels: Sequence[object]) -> float:
    scores = []
    for label in labels:
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return sum(scores) / len(scores)


def xlmt(data: Path, language: str, split: str) -> list[tuple[str, str]]:
    folder = data / "xlmt-umsab" / language
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").split("\n")
    labels = (folder / f"{split}_labels.txt").read_text(encoding="utf-8").split()
    return [(text, SENTIMENT[int(label)]) for text, label in zip(texts, labels, strict=False)]


def complaints(data: Path) -> list[tuple[str, bool]]:
    with (data / "complaints-preotiuc2019" / "complaints-dev.csv").open(
        encoding="utf-8", newline=""
    ) as handle:
        return [(row[1], row[2] == "1") for row in csv.reader(handle)]


def allocine(data: Path, split: str = "dev") -> list[tuple[str, bool]]:
    rows = (data / "allocine-tv-fr" / f"{split}.tsv").read_text(encoding="utf-8").splitlines()
    return [(text, label == "1") for label, text in (row.split("\t", 1) for row in rows if row.strip())]


def ecoute(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ecoute", *arguments]
    result = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    return result


def analyze(texts: Sequence[str], work: Path, name: str, env: dict[str, str], *options: str) -> list[dict]:
    source, output = work / f"{name}.jsonl", work / f"{name}.out.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for number, text in enumerate(texts):
            handle.write(json.dumps({"id": number, "text": text}, ensure_ascii=False) + "\n")
    ecoute("analyze", str(source), "-o", str(output), *options, env=env)
    return [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]


def train_on(
    rows: Sequence[tuple[str, str]],
    work: Path,
    workspace: str,
    env: dict[str, str],
    bundled_weight: str | None,
) -> dict:
    labelled = work / f"{workspace}.labels.jsonl"
    with labelled.open("w", encoding="utf-8") as handle:
        for number, (text, label) in enumerate(rows):
            handle.write(
                json.dumps({"id": number, "text": text, "sentiment": label}, ensure_ascii=False) + "\n"
            )
    options = ["--bundled-weight", bundled_weight] if bundled_weight is not None else []
    result = ecoute("train", "--data", str(labelled), "--workspace", workspace, "--json", *options, env=env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def sentiment_f1(rows: Sequence[tuple[str, str]], notes: Sequence[dict]) -> float:
    return macro_f1([label for _, label in rows], [note.get("sentiment") for note in notes], SENTIMENT)


def run(
    data: Path, bundled_weight: str | None, with_training: bool, extra: Sequence[str] = ()
) -> dict[str, float]:
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="ecoute-quality-") as folder:
        work = Path(folder)
        env = {**os.environ, "ECOUTE_DATA_DIR": str(work / "data")}
        for language, code in (("french", "fr"), ("english", "en")):
            val = xlmt(data, language, "val")
            notes = analyze([text for text, _ in val], work, f"{code}-val", env, *extra)
            results[f"sentiment_{code}_val"] = sentiment_f1(val, notes)
            results[f"language_{code}_val"] = sum(note.get("lang") == code for note in notes) / len(notes)
            if with_training:
                report = train_on(xlmt(data, language, "train"), work, f"xlmt-{code}", env, bundled_weight)
                trained = analyze(
                    [text for text, _ in val],
                    work,
                    f"{code}-val-trained",
                    env,
                    "--workspace",
                    f"xlmt-{code}",
                    *extra,
                )
                results[f"sentiment_{code}_val_after_train"] = sentiment_f1(val, trained)
                results[f"train_{code}_holdout_f1"] = report["heads"]["sentiment"]["macro_f1"]
        rows = complaints(data)
        notes = analyze([text for text, _ in rows], work, "complaints", env, *extra)
        predicted = [note.get("intent") == "complaint" for note in notes]
        results["complaint_f1"] = macro_f1([label for _, label in rows], predicted, (True, False))
        reviews = allocine(data)
        notes = analyze([text for text, _ in reviews], work, "allocine", env, *extra)
        polarity = [note.get("sentiment_score", 0.0) >= 0 for note in notes]
        results["allocine_polarity_f1"] = macro_f1([label for _, label in reviews], polarity, (True, False))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=REPO.parent / "shared" / "data", help="evaluation data folder"
    )
    parser.add_argument("--bundled-weight", default=None, help="passed to `ecoute train` (default: its own)")
    parser.add_argument("--no-train", action="store_true", help="skip the `ecoute train` measurements")
    parser.add_argument(
        "--accurate", action="store_true", help="run `ecoute analyze --accurate` (full stage)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    started = time.perf_counter()
    extra = ["--accurate"] if args.accurate else []
    results = run(args.data.resolve(), args.bundled_weight, not args.no_train, extra)
    for name, value in results.items():
        print(f"{name:<34} {value:.3f}")
    print(f"({time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
