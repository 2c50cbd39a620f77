"""Every file of the shared format corpus goes through the runner without an exception and gets
a result from each file-level check (the corpus is read in place, nothing is downloaded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lantai.checks.package import Outcome, PackageView
from lantai.checks.runner import run_checks

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "format-corpus-subset"
FILE_LEVEL = ("GD-1-1", "GD-1-10", "GD-3-3", "GD-3-4", "GD-3-8")


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.mark.django_db
def test_every_corpus_file_gets_a_result_and_nothing_crashes():
    paths = corpus_files()
    assert len(paths) > 400, CORPUS
    package = PackageView.of_folder_files(CORPUS, paths, title="format corpus")
    report = run_checks(package)
    for code in FILE_LEVEL:
        targets = [r.target for r in report.results if r.code == code]
        assert sorted(targets) == sorted(f"file:{f.path}" for f in package.files), code
    # a runner that raised would show up as a package-level failure naming the exception
    crashed = [r for r in report.results if r.target == "package" and "error" in r.evidence]
    assert crashed == []
    by_path = {r.target: r for r in report.results if r.code == "GD-3-4"}
    # known-bad members of the corpus are caught, known-good ones read
    assert by_path["file:pdf-handbuilt-test-corpus/T04_002_EOF-missing.pdf"].outcome == Outcome.FAILED
    assert by_path["file:pdf-handbuilt-test-corpus/hello_world.pdf"].outcome == Outcome.PASSED
    enc = {r.target: r for r in report.results if r.code == "GD-3-8"}
    assert enc["file:pdfCabinetOfHorrors/encryption_openpassword.pdf"].outcome == Outcome.FAILED
    fonts = enc["file:pdfCabinetOfHorrors/text_only_fontsNotEmbedded.pdf"]
    assert fonts.outcome == Outcome.WARNING and fonts.evidence["fonts_not_embedded"] == ["TimesNewRomanPSMT"]
    assert enc["file:pdfCabinetOfHorrors/text_only_fontsEmbeddedAll.pdf"].outcome == Outcome.PASSED
    fmt = {r.target: r for r in report.results if r.code == "GD-3-3"}
    assert fmt["file:pdfCabinetOfHorrors/text_only_pdfa1b.pdf"].evidence.get("pdfa") == "1B"
