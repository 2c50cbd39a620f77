"""Stage and category specifics: audio for 录音 (LY), the 档号 required at transfer (YJ), and the
preservation (BC) scheme without the duplicate check."""

from __future__ import annotations

from pathlib import Path

import pytest

from lantai.catalog.models import Fonds
from lantai.checks.package import Outcome
from lantai.checks.runner import run_checks
from tests.checks.builders import (
    FONDS,
    PackageBuilder,
    mp3_bytes,
    outcomes,
    pdf_bytes,
    results_for,
    wav_bytes,
    ws_metadata,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fonds(archive):
    return Fonds.objects.create(code=FONDS, name="兰台市档案局", institution=archive)


def test_audio_for_dialect_recordings_is_probed(tmp_path: Path, fonds):
    b = PackageBuilder(tmp_path, category="LY", institution_id=fonds.institution_id)
    b.item({"title": "方言发音 第1段", "fonds_code": FONDS}, ("ly/0001.wav", wav_bytes(1.5)))
    b.item({"title": "方言发音 第2段", "fonds_code": FONDS}, ("ly/0002.mp3", mp3_bytes()))
    b.item({"title": "坏文件", "fonds_code": FONDS}, ("ly/0003.mp3", mp3_bytes()[:6]))
    report = run_checks(b.build())
    assert report.scheme_code == "GD-LY"
    read = {r.target: r for r in results_for(report, "GD-3-4")}
    assert read["file:ly/0001.wav"].outcome == Outcome.PASSED
    assert read["file:ly/0001.wav"].evidence["duration_seconds"] == 1.5
    assert read["file:ly/0002.mp3"].outcome == Outcome.PASSED
    assert 1.0 < read["file:ly/0002.mp3"].evidence["duration_seconds"] < 1.6
    assert read["file:ly/0003.mp3"].outcome == Outcome.FAILED
    fmt = {r.target: r for r in results_for(report, "GD-3-3")}
    assert fmt["file:ly/0001.wav"].evidence["format"] == "WAV"
    assert fmt["file:ly/0002.mp3"].evidence["format"] == "MP3"


def test_transfer_requires_the_archival_code(tmp_path: Path, fonds):
    b = PackageBuilder(tmp_path, stage="YJ", institution_id=fonds.institution_id)
    b.item(ws_metadata(1), ("a/1.pdf", pdf_bytes()))
    b.item(ws_metadata(2, archival_code=""), ("a/2.pdf", pdf_bytes()))
    report = run_checks(b.build())
    assert report.scheme_code == "YJ-WS"
    form = {r.target: r.outcome for r in results_for(report, "YJ-1-7")}
    assert form == {"item:1": Outcome.PASSED, "item:2": Outcome.FAILED}
    assert "YJ-1-7" in report.failed_codes()


def test_preservation_scheme_has_no_duplicate_check_and_lists_backup_restore_as_manual(tmp_path: Path, fonds):
    b = PackageBuilder(tmp_path, stage="BC", institution_id=fonds.institution_id)
    b.item(ws_metadata(1), ("a/1.pdf", pdf_bytes()))
    report = run_checks(b.build())
    assert report.scheme_code == "BC-WS"
    assert results_for(report, "BC-1-8") == []
    assert outcomes(report, "BC-3-9") == {"manual"}
    assert outcomes(report, "BC-3-4") == {"passed"}
