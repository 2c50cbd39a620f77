"""Benchmark: online archiving throughput, hashing, peak memory, side by side with a3m.

    .venv/bin/python bench/ingest/run.py                 # 600-file mix + 2 GB of large files
    .venv/bin/python bench/ingest/run.py --large-gb 10   # the 10 GB variant (needs ~25 GB free)
    .venv/bin/python bench/ingest/run.py --no-a3m        # skip the Archivematica baseline

What is measured (each beside a baseline run in the same process on the same bytes):

1. Hashing: ``lantai.core.hashing.digest_file`` (SM3 + SHA-256 in one read pass) against a
   bare ``hashlib`` loop computing the same two digests on the same page-cached file
   (PERFORMANCE-ANCHORS G6; goal ≥ 0.8×).
2. The 600-file mixed transfer (the shared format corpus, 461 files, plus generated PDFs and
   JPEGs) as a BagIt bag through ``services.submit_package``: copy into staging while hashing,
   bag parsing, registration, the full GD 四性检测 scheme (format identification, readability,
   digests, metadata, …; antivirus not configured), decision. Baseline: a3m 0.7.14
   (``a3m --no-input -p normalize=no``: siegfried identification, checksums, bag, METS,
   7z AIP) on the same folder (G5; goal ≥ 20× files/s and MB/s).
3. A large-file transfer (default 2 GB as 20 files; ``--large-gb``) the same way.
4. Peak RSS of a child process ingesting one file of 64 MB and of 512 MB (flat = streaming).

a3m runs from a scratch venv (``BENCH_A3M_VENV``, default /tmp/a3m-venv; created with
``uv venv`` + ``uv pip install a3m==0.7.14`` when missing; needs the Debian packages tree,
p7zip-full and atool). It is never a dependency of Lantai.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("BENCH_CORPUS", ROOT.parent / "shared" / "corpora" / "format-corpus-subset"))
A3M_VENV = Path(os.environ.get("BENCH_A3M_VENV", "/tmp/a3m-venv"))
CHUNK = 1 << 20


def setup(data_dir: Path) -> None:
    os.environ.setdefault("LANTAI_SECRET_KEY", "bench-only-secret-key-not-for-production-use")
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["LANTAI_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("LANTAI_LOG_LEVEL", "WARNING")
    os.environ["LANTAI_CLAMD_SOCKET"] = ""
    os.environ["LANTAI_CLAMD_ADDRESS"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantai.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def fixtures() -> object:
    """An agency, a fonds and the actor its API key would be."""
    from lantai.accounts import services as account_services
    from lantai.accounts.actor import Actor
    from lantai.accounts.models import Institution
    from lantai.catalog.models import Fonds

    system = Actor.system("bench")
    inst = Institution.objects.filter(code="BENCH").first() or account_services.create_institution(
        system, code="BENCH", name="基准测试单位", kind=Institution.Kind.CREATOR
    )
    Fonds.objects.get_or_create(code="Z109", defaults={"name": "基准全宗", "institution": inst})
    return Actor(
        kind="apikey",
        id="bench",
        name="apikey:bench",
        permissions=frozenset({"ingest.submit"}),
        institution_scope=frozenset({inst.pk}),
        institution_id=inst.pk,
    )


# --- data -------------------------------------------------------------------------------------


def mixed_transfer(target: Path, total: int = 600) -> Path:
    """The format corpus plus generated PDFs and JPEGs, up to ``total`` files, as plain files."""
    sys.path.insert(0, str(ROOT))
    from tests.ingest import corpus

    target.mkdir(parents=True)
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    for p in files[:total]:
        dest = target / "corpus" / p.relative_to(CORPUS)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, dest)
    n = len(files[:total])
    i = 0
    while n < total:
        i += 1
        if i % 2:
            (target / "generated" / f"文件{i:04d}.pdf").parent.mkdir(parents=True, exist_ok=True)
            (target / "generated" / f"文件{i:04d}.pdf").write_bytes(corpus.pdf_bytes(f"bench {i}"))
        else:
            (target / "generated" / f"照片{i:04d}.jpg").write_bytes(corpus.jpeg_bytes((640, 480)))
        n += 1
    return target


def large_transfer(target: Path, total_gb: float, count: int = 20) -> Path:
    """``count`` files of random bytes totalling ``total_gb`` (written in 8 MB blocks)."""
    target.mkdir(parents=True)
    size = int(total_gb * 1024**3 / count)
    block = os.urandom(8 << 20)
    for i in range(count):
        with (target / f"large{i:03d}.bin").open("wb") as out:
            left = size
            while left > 0:
                out.write(block[: min(left, len(block))])
                left -= len(block)
    return target


def make_bag(src: Path, dest: Path) -> Path:
    """A BagIt copy of ``src`` (sha256 manifest) with Lantai's fonds/category tags."""
    import bagit

    shutil.copytree(src, dest)
    bagit.make_bag(
        str(dest),
        {
            "External-Identifier": f"BENCH-{dest.name}",
            "Lantai-Fonds-Code": "Z109",
            "Lantai-Category-Code": "WS",
        },
        checksums=["sha256"],
        processes=1,
    )
    # One 文书 item per payload file, with its catalogue metadata (metadata/items.json).
    sys.path.insert(0, str(ROOT))
    from tests.ingest import corpus

    payload = sorted(
        p.relative_to(dest / "data").as_posix() for p in (dest / "data").rglob("*") if p.is_file()
    )
    items = [
        {"metadata": corpus.ws_metadata(n, title=f"基准文件{n}：{Path(p).name}"[:200]), "files": [p]}
        for n, p in enumerate(payload, 1)
    ]
    (dest / "metadata").mkdir()
    (dest / "metadata" / "items.json").write_text(json.dumps(items, ensure_ascii=False), "utf-8")
    bagit.Bag(str(dest)).save(manifests=True)
    return dest


COMPARABLE = {"GD-1-1": True, "GD-1-12": True, "GD-2-11": True, "GD-3-3": False}


def comparable_scheme() -> None:
    """A GD scheme with the checks a3m also performs: fixity against the manifest (GD-1-1),
    package structure and completeness (GD-1-12, GD-2-11) and format identification (GD-3-3,
    recorded but not blocking: a3m identifies formats without refusing any). Named so that it
    sorts before GD-WS and is chosen for WS."""
    from lantai.catalog.models import Category
    from lantai.checks.models import CheckItem, CheckScheme, CheckSchemeItem

    scheme, _ = CheckScheme.objects.get_or_create(
        code="BENCH-A3M",
        defaults={"name": "与 a3m 可比的检测", "stage": "GD", "category": Category.objects.get(code="WS")},
    )
    for order, (code, blocking) in enumerate(COMPARABLE.items()):
        CheckSchemeItem.objects.get_or_create(
            scheme=scheme,
            item=CheckItem.objects.get(code=code),
            defaults={"order": order, "blocking": blocking},
        )


def drop_comparable_scheme() -> None:
    from lantai.checks.models import CheckScheme

    CheckScheme.objects.filter(code="BENCH-A3M").delete()


def tree_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


# --- measures ---------------------------------------------------------------------------------


def bench_hashing(path: Path) -> tuple[float, float]:
    from lantai.core.hashing import digest_file

    size = path.stat().st_size
    digest_file(path)  # warm the page cache

    def raw() -> None:
        sm3, sha = hashlib.new("sm3"), hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                sm3.update(chunk)
                sha.update(chunk)

    def ours() -> None:
        digest_file(path)

    # Alternate the two, best of five each: the machine is shared, so a burst of other work
    # must not land on one side only.
    times: dict[str, list[float]] = {"ours": [], "raw": []}
    for _ in range(5):
        for name, fn in (("ours", ours), ("raw", raw)):
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return size / min(times["ours"]) / 1e6, size / min(times["raw"]) / 1e6


def bench_lantai(actor: object, bag: Path, accept: bool = False) -> dict[str, object]:
    """Submit (receive → checks → decision); with ``accept``, also archive it: catalogue items
    created, every file put in the object store (the AIP side of a3m's work)."""
    from lantai.accounts.actor import Actor
    from lantai.ingest import services

    files, size = tree_size(bag / "data")
    t = time.perf_counter()
    sub, created = services.submit_package(actor, bag)  # type: ignore[arg-type]
    if accept and sub.status == "passed":
        services.accept(Actor.system("bench"), sub)
        sub.refresh_from_db()
    elapsed = time.perf_counter() - t
    from lantai.core.models import StepRun

    steps = {
        r.step: (r.finished_at - r.started_at).total_seconds()
        for r in StepRun.objects.filter(subject_id=str(sub.public_id))
        if r.started_at and r.finished_at
    }
    return {
        "check_seconds": steps.get("check", 0.0),
        "files": files,
        "bytes": size,
        "seconds": elapsed,
        "status": sub.status,
        "checks": len(sub.report.get("results", [])),
        "created": created,
    }


def ensure_a3m() -> Path | None:
    exe = A3M_VENV / "bin" / "a3m"
    if exe.exists():
        return exe
    uv = ROOT / ".venv" / "bin" / "uv"
    try:
        subprocess.run([str(uv), "venv", "--python", "3.11", str(A3M_VENV)], check=True, capture_output=True)
        subprocess.run(
            [str(uv), "pip", "install", "--python", str(A3M_VENV / "bin" / "python"), "a3m==0.7.14"],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"  a3m could not be installed: {exc}")
        return None
    return exe if exe.exists() else None


def bench_a3m(exe: Path, src: Path, work: Path) -> dict[str, object]:
    files, size = tree_size(src)
    # a3m keeps its database and shared directory under ~/.local/share/a3m: a scratch HOME
    # keeps them inside the benchmark's work folder.
    home = work / "a3m-home"
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANTAI_", "DJANGO_"))}
    env.update({"HOME": str(home), "PATH": f"{exe.parent}:{os.environ.get('PATH', '')}"})
    cmd = [str(exe), "--no-input", "-p", "normalize=no", f"file://{src}"]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=work)
    elapsed = time.perf_counter() - t
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
    return {"files": files, "bytes": size, "seconds": elapsed, "returncode": proc.returncode, "tail": tail}


def rss_probe(size_mb: int) -> int:
    """Run in a child: ingest one file of ``size_mb`` and print the peak RSS in KB."""
    with tempfile.TemporaryDirectory(prefix="lantai-rss-") as tmp:
        base = Path(tmp)
        setup(base / "data")
        actor = fixtures()
        src = base / "src"
        src.mkdir()
        block = os.urandom(4 << 20)
        with (src / "big.bin").open("wb") as out:
            for _ in range(size_mb // 4):
                out.write(block)
        bag = make_bag(src, base / "bag")
        bench_lantai(actor, bag)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_rss(size_mb: int) -> int:
    out = subprocess.run(
        [sys.executable, __file__, "--rss-probe", str(size_mb)], capture_output=True, text=True, check=True
    ).stdout
    return int(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large-gb", type=float, default=2.0)
    parser.add_argument("--files", type=int, default=600)
    parser.add_argument("--no-a3m", action="store_true")
    parser.add_argument("--no-large", action="store_true")
    parser.add_argument("--hash-only", action="store_true", help="only the hashing comparison")
    parser.add_argument("--rss-probe", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_probe:
        print(rss_probe(args.rss_probe))
        return 0
    work = Path(tempfile.mkdtemp(prefix="lantai-bench-ingest-"))
    results: dict[str, object] = {}
    try:
        setup(work / "data")
        actor = fixtures()
        a3m = None if args.no_a3m or args.hash_only else ensure_a3m()

        print("1. hashing (SM3 + SHA-256, one pass, page-cached 512 MB file)")
        probe = large_transfer(work / "hashprobe", 0.5, count=1) / "large000.bin"
        ours, raw = bench_hashing(probe)
        print(
            f"   lantai digest_file {ours:8.0f} MB/s   raw hashlib loop {raw:8.0f} MB/s"
            f"   ratio {ours / raw:5.2f}x"
        )
        results["hashing"] = {"lantai_mb_s": ours, "raw_mb_s": raw}
        shutil.rmtree(probe.parent)
        if args.hash_only:
            return 0

        warm = mixed_transfer(work / "warm", 5)  # imports, signature loading: not part of a transfer
        bench_lantai(actor, make_bag(warm, work / "warm-bag"))
        print(f"2. mixed transfer ({args.files} files)")
        mixed = mixed_transfer(work / "mixed", args.files)
        r = bench_lantai(actor, make_bag(mixed, work / "mixed-bag"))
        _report("lantai GD-WS", r)
        results["mixed_lantai"] = r
        comparable_scheme()
        r = bench_lantai(actor, make_bag(mixed, work / "mixed-bag2"), accept=True)
        drop_comparable_scheme()
        _report("lantai ≈a3m", r)
        results["mixed_lantai_comparable"] = r
        if a3m:
            a = bench_a3m(a3m, mixed, work)
            _report("a3m 0.7.14", a)
            _ratio(r, a)
            results["mixed_a3m"] = a

        if not args.no_large:
            print(f"3. large files ({args.large_gb:g} GB in 20 files)")
            large = large_transfer(work / "large", args.large_gb)
            bag = make_bag(large, work / "large-bag")
            shutil.rmtree(large)
            comparable_scheme()
            r = bench_lantai(actor, bag, accept=True)
            drop_comparable_scheme()
            _report("lantai ≈a3m", r)
            results["large_lantai"] = r
            if a3m:
                a = bench_a3m(a3m, bag / "data", work)
                _report("a3m 0.7.14", a)
                _ratio(r, a)
                results["large_a3m"] = a

        print("4. peak RSS of one ingest in a child process")
        small, big = child_rss(64), child_rss(512)
        print(
            f"   64 MB file: {small / 1024:6.0f} MB RSS   512 MB file: {big / 1024:6.0f} MB RSS"
            f"   ratio {big / small:4.2f}"
        )
        results["rss_kb"] = {"64": small, "512": big}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, ensure_ascii=False, default=str))
    return 0


def _report(name: str, r: dict[str, object]) -> None:
    files, size, seconds = int(r["files"]), int(r["bytes"]), float(r["seconds"])  # type: ignore[call-overload]
    extra = f"status {r.get('status')}" if "status" in r else f"exit {r.get('returncode')}"
    if "check_seconds" in r:
        check = float(r["check_seconds"])  # type: ignore[arg-type]
        rest = seconds - check
        extra += f"; 四性检测 runners {check:.1f} s, receive/hash/parse/register/decide {rest:.1f} s"
    print(
        f"   {name:<12} {files:6d} files {size / 1e6:9.1f} MB in {seconds:7.1f} s: "
        f"{files / seconds:8.1f} files/s {size / 1e6 / seconds:8.1f} MB/s ({extra})"
    )


def _ratio(ours: dict[str, object], base: dict[str, object]) -> None:
    ratio = float(base["seconds"]) / float(ours["seconds"])  # type: ignore[arg-type]
    print(f"   ratio lantai / a3m: {ratio:5.1f}x (same files and bytes, so files/s and MB/s alike)")


if __name__ == "__main__":
    raise SystemExit(main())
