"""Catalogue benchmarks: `python -m bench.catalog [import] [list]`.

* import — 100,000-row .xlsx through the importer vs a plain ``bulk_create`` of the same rows,
  in the same process on the same fresh database; wall time, rows/s, ratio and peak RSS.
* list — list page at 1,000,000 items: 200 keyset pages of 50 through ``visible_items`` and
  through the list view (test client), p50/p95, beside the bare SQL keyset query.

Sizes: BENCH_IMPORT_ROWS (100000), BENCH_LIST_ITEMS (1000000), BENCH_LIST_PAGES (200).
On PostgreSQL: `bash scripts/with-postgres.sh .venv/bin/python -m bench.catalog`.
"""

from __future__ import annotations

import sys

from bench.catalog import common, import_bench, list_bench


def main(argv: list[str]) -> int:
    parts = argv or ["import", "list"]
    try:
        if "import" in parts:
            import_bench.main()
        if "list" in parts:
            list_bench.main()
    finally:
        common.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
