"""Run the benchmarks: `python -m bench [NAME …]` (`make bench`).

Each benchmark is a script ``bench/NAME.py`` or a package ``bench/NAME/`` with a
``__main__.py``; each runs in its own process, prints its figures beside a baseline measured
in the same run, and asserts nothing. With names, only those run; ``--list`` lists them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(HERE.iterdir()):
        if path.suffix == ".py" and not path.name.startswith("_"):
            found[path.stem] = [sys.executable, str(path)]
        elif path.is_dir() and (path / "__main__.py").exists():
            found[path.name] = [sys.executable, "-m", f"bench.{path.name}"]
    return found


def main(argv: list[str]) -> int:
    benches = available()
    if "--list" in argv:
        print("\n".join(benches))
        return 0
    chosen = argv or list(benches)
    unknown = [n for n in chosen if n not in benches]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(benches)}", file=sys.stderr)
        return 2
    failed = 0
    for name in chosen:
        print(f"\n=== bench {name} ===", flush=True)
        failed += subprocess.run(benches[name], cwd=HERE.parent, check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
