"""Time and peak memory of the aligner on synthetic documents of 1k, 10k and 50k sentences.

The target document is the source with every word replaced by a made-up
"translation" of different length, some sentences merged, split or dropped,
and a few numbers kept, so that length and anchors both have something to do.
Each size runs in a fresh process, which prints the wall-clock and CPU seconds
of `align` (CPU time is the steadier figure on a shared machine), the peak
resident memory of that process and how much of it `align` added (ru_maxrss,
Linux), and the strict F1 against the known links.

    python bench/align_speed.py [--sizes 1000 10000 50000] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.alignment import LENGTH_ONLY, AlignerSettings, align, score_alignment  # noqa: E402

_SYLLABLES = ["ka", "lo", "mi", "ren", "sto", "ve", "dul", "an", "tri", "po", "gen", "sa", "ul", "fe", "nor"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4)))


def synthetic_pair(size: int, seed: int) -> tuple[list[str], list[str], list[tuple[list[int], list[int]]]]:
    """`size` source sentences, their synthetic translation, and the true links."""
    rng = random.Random(seed)
    lexicon: dict[str, str] = {}
    source, target, links = [], [], []
    i = 0
    while i < size:
        roll = rng.random()
        group = 2 if roll < 0.06 and i + 1 < size else 1
        sentences = []
        for _ in range(group):
            words = [_word(rng) for _ in range(rng.randint(3, 30))]
            if rng.random() < 0.15:
                words.insert(rng.randrange(len(words)), str(rng.randint(10, 99999)))
            sentences.append(words)
        indices = list(range(i, i + group))
        source.extend(" ".join(words).capitalize() + "." for words in sentences)
        i += group
        if rng.random() < 0.01:
            links.append((indices, []))
            continue
        translated = [
            lexicon.setdefault(w, _word(rng) + "e") if not w.isdigit() else w for words in sentences for w in words
        ]
        if group == 1 and rng.random() < 0.06 and len(translated) > 6:
            cut = len(translated) // 2
            pieces = [translated[:cut], translated[cut:]]
        else:
            pieces = [translated]
        start = len(target)
        target.extend(" ".join(piece).capitalize() + "." for piece in pieces)
        links.append((indices, list(range(start, len(target)))))
        if rng.random() < 0.01:
            target.append(" ".join(_word(rng) for _ in range(rng.randint(3, 12))).capitalize() + ".")
            links.append(([], [len(target) - 1]))
    return source, target, links


def measure(size: int, seed: int, length_only: bool) -> dict:
    """Align a synthetic pair of `size` source sentences in this process; return the figures."""
    source, target, gold = synthetic_pair(size, seed)
    settings = LENGTH_ONLY if length_only else AlignerSettings()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, started_cpu = time.perf_counter(), time.process_time()
    links = align(source, target, settings=settings)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "source": len(source),
        "target": len(target),
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "peak_mib": peak / 1024,
        "added_mib": (peak - before) / 1024,
        "strict_f1": score_alignment(gold, links).strict_f1,
    }


def main(argv: list[str] | None = None) -> int:
    """Print one line per size, each measured in a child process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--length-only", action="store_true", help="time the Gale-Church baseline instead")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure(args.one, args.seed, args.length_only)))
        return 0
    header = ("source", "target", "seconds", "CPU s", "peak RSS MiB", "added MiB", "strict F1")
    print(" ".join(f"{name:>{width}}" for name, width in zip(header, (8, 8, 8, 8, 13, 10, 9), strict=True)))
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", str(size), "--seed", str(args.seed)]
        if args.length_only:
            command.append("--length-only")
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"{figures['source']:8d} {figures['target']:8d} {figures['seconds']:8.2f} {figures['cpu_seconds']:8.2f} "
            f"{figures['peak_mib']:13.1f} {figures['added_mib']:10.1f} {figures['strict_f1']:9.3f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
