"""Benchmark: 四性检测 format identification and a full check run over the shared format corpus.

    .venv/bin/python bench/checks.py

Each figure is printed beside a baseline measured in the same run on the same files:
- our identification (libmagic MIME + description, OFD rule) vs a bare libmagic MIME loop
  (PERFORMANCE-ANCHORS G7: identification must stay near the raw identifier's rate and never
  start a process per file);
- fido with its PRONOM signatures loaded once (the rejected "PUID for every file" design) vs ours;
- a full GD run (every automatic item of GD-WS, no antivirus) vs reading every byte once
  (SHA-256), i.e. how many "plain reads" a check run costs.
Best of N and median are reported; nothing is asserted.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("BENCH_CORPUS", ROOT.parent / "shared" / "corpora" / "format-corpus-subset"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def setup() -> None:
    os.environ.setdefault("LANTAI_SECRET_KEY", "bench-only-secret-key-not-for-production-use")
    os.environ["LANTAI_DATA_DIR"] = tempfile.mkdtemp(prefix="lantai-bench-")
    os.environ.setdefault("LANTAI_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantai.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def timed(fn: Callable[[], object], repeat: int = REPEAT) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def line(
    label: str, count: int, times: list[float], base: list[float] | None = None, unit: str = "files"
) -> None:
    best, median = min(times), statistics.median(times)
    text = f"  {label:<46} best {count / best:>8.0f} {unit}/s   median {count / median:>8.0f} {unit}/s"
    if base:
        text += f"   ratio (best) {min(base) / best:6.3f}x of baseline"
    print(text)


def main() -> None:
    setup()
    import magic

    from lantai.checks import formats
    from lantai.checks.package import PackageView
    from lantai.checks.runner import run_checks

    paths = sorted(p for p in CORPUS.rglob("*") if p.is_file() and not p.is_symlink())
    total = sum(p.stat().st_size for p in paths)
    print(f"corpus: {len(paths)} files, {total / 1e6:.1f} MB ({CORPUS})")

    raw = magic.Magic(mime=True)
    base = timed(lambda: [raw.from_file(str(p)) for p in paths])
    line("baseline: bare libmagic MIME", len(paths), base)
    ours = timed(lambda: [formats.identify(p, p.name) for p in paths])
    line("formats.identify (libmagic MIME + OFD rule)", len(paths), ours, base)
    formats.pronom_puid(paths[0])  # load the signatures outside the timing
    fido = timed(lambda: [formats.pronom_puid(p) for p in paths], repeat=1)
    line("fido PUID per file (signatures loaded once)", len(paths), fido, base)

    def read_all() -> None:
        for p in paths:
            with p.open("rb") as f:
                h = hashlib.sha256()
                while chunk := f.read(1 << 20):
                    h.update(chunk)

    read = timed(read_all)
    line("baseline: read every byte once (SHA-256)", len(paths), read)
    package = PackageView.of_folder_files(CORPUS, paths, title="corpus")
    full = timed(lambda: run_checks(package))
    line("run_checks GD-WS, all automatic items", len(paths), full, read)
    print(f"  (a full run costs {min(full) / min(read):.1f}x one plain read of the same bytes)")


if __name__ == "__main__":
    main()
