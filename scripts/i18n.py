"""Message catalogues: one zh_Hans catalogue per app (src/lantai/<app>/locale) plus one for
the top-level modules (src/lantai/locale).

    python scripts/i18n.py extract   # refresh the .po files from the sources (needs GNU gettext)
    python scripts/i18n.py compile   # build .mo files with polib (no gettext needed)
    python scripts/i18n.py check     # exit 1 if a msgid is missing, untranslated or fuzzy

`compile` runs in every setup (scripts/bootstrap.sh), so .mo files are never committed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "src" / "lantai"
LANG = "zh_Hans"


def domains() -> list[tuple[Path, list[str]]]:
    """(folder whose locale/ holds the catalogue, --ignore patterns) for each catalogue."""
    apps = sorted(p for p in PKG.iterdir() if (p / "apps.py").exists())
    result = [(app, ["migrations/*", "tests/*"]) for app in apps]
    result.append((PKG, [f"{a.name}/*" for a in apps] + ["migrations/*"]))
    return result


def extract_into(folder: Path, ignores: list[str], out_root: Path) -> Path:
    """Run makemessages for one folder, writing into out_root/locale; return the .po path."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lantai.settings", "LANTAI_DEBUG": "1"}
    work = Path(tempfile.mkdtemp(prefix="lantai-i18n-"))
    try:
        shutil.copytree(folder, work / "src", ignore=shutil.ignore_patterns("locale", "__pycache__"))
        (work / "src" / "locale").mkdir()
        cmd = [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            LANG,
            "--no-obsolete",
            "--no-location",
            "--no-wrap",
            "-e",
            "html,txt,py",
        ]
        for pattern in ignores:
            cmd += ["--ignore", pattern]
        subprocess.run(cmd, cwd=work / "src", env=env, check=True, stdout=subprocess.DEVNULL)
        produced = work / "src" / "locale" / LANG / "LC_MESSAGES" / "django.po"
        target = out_root / "locale" / LANG / "LC_MESSAGES" / "django.po"
        target.parent.mkdir(parents=True, exist_ok=True)
        if produced.exists():
            shutil.copy(produced, target)
        return target
    finally:
        shutil.rmtree(work, ignore_errors=True)


def extract() -> None:
    for folder, ignores in domains():
        po_path = folder / "locale" / LANG / "LC_MESSAGES" / "django.po"
        # Keyed by (context, msgid): the same msgid may carry different translations per context.
        old_file = polib.pofile(str(po_path)) if po_path.exists() else None
        old = {(e.msgctxt, e.msgid): e for e in old_file} if old_file is not None else {}
        tmp = Path(tempfile.mkdtemp())
        fresh_path = extract_into(folder, ignores, tmp)
        if not fresh_path.exists():
            shutil.rmtree(tmp)
            continue
        fresh = polib.pofile(str(fresh_path))
        for entry in fresh:
            previous = old.get((entry.msgctxt, entry.msgid))
            if previous is not None and (previous.msgstr or any(previous.msgstr_plural.values())):
                entry.msgstr = previous.msgstr
                entry.msgstr_plural = previous.msgstr_plural
                entry.flags = [f for f in entry.flags if f != "fuzzy"]
        if old_file is not None:  # keep the header stable: no churn in catalogues nobody changed
            fresh.metadata["POT-Creation-Date"] = old_file.metadata.get("POT-Creation-Date", "")
        fresh.metadata["Language"] = "zh_Hans"
        fresh.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        fresh.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
        po_path.parent.mkdir(parents=True, exist_ok=True)
        fresh.save(str(po_path))
        untranslated = [e.msgid for e in fresh if not e.translated()]
        print(f"{po_path.relative_to(ROOT)}: {len(fresh)} messages, {len(untranslated)} untranslated")
        shutil.rmtree(tmp)


def compile_all() -> None:
    for po_path in PKG.rglob(f"locale/{LANG}/LC_MESSAGES/django.po"):
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


def check() -> int:
    problems = 0
    for folder, ignores in domains():
        po_path = folder / "locale" / LANG / "LC_MESSAGES" / "django.po"
        tmp = Path(tempfile.mkdtemp())
        fresh_path = extract_into(folder, ignores, tmp)
        needed = (
            {(e.msgctxt, e.msgid) for e in polib.pofile(str(fresh_path))} if fresh_path.exists() else set()
        )
        shutil.rmtree(tmp)
        have = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(po_path))} if po_path.exists() else {}
        for key in sorted(needed, key=lambda k: (k[0] or "", k[1])):
            entry = have.get(key)
            label = f"{key[0]}|{key[1]!r}" if key[0] else repr(key[1])
            if entry is None:
                print(f"{po_path.relative_to(ROOT)}: missing {label}")
                problems += 1
            elif not entry.translated() or "fuzzy" in entry.flags:
                print(f"{po_path.relative_to(ROOT)}: untranslated {label}")
                problems += 1
    return 1 if problems else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "extract":
        extract()
    elif command == "compile":
        compile_all()
    elif command == "check":
        raise SystemExit(check())
    else:
        raise SystemExit(__doc__)
