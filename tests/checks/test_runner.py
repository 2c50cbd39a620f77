"""run_checks over real files: a sound package passes every automatic item (manual ones stay
待人工), and each kind of defect fails the item that should catch it, naming the target."""

from __future__ import annotations

from pathlib import Path

import pytest

from lantai.catalog.models import Category, Fonds, Item, RetentionPeriod
from lantai.checks.package import Outcome
from lantai.checks.runner import run_checks
from tests.checks.builders import (
    FONDS,
    PackageBuilder,
    jpeg_bytes,
    ofd_bytes,
    outcomes,
    pdf_bytes,
    png_bytes,
    results_for,
    wav_bytes,
    ws_metadata,
)
from tests.conftest import EICAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def fonds(archive):
    return Fonds.objects.create(code=FONDS, name="兰台市档案局", institution=archive)


@pytest.fixture
def builder(tmp_path: Path, fonds) -> PackageBuilder:
    return PackageBuilder(tmp_path, institution_id=fonds.institution_id)


def sound_package(builder: PackageBuilder) -> PackageBuilder:
    builder.item(ws_metadata(1), ("Z109-WS·2011-Y-BGS-0001/正文.pdf", pdf_bytes(2, pdfa=True)))
    builder.item(ws_metadata(2), ("Z109-WS·2011-Y-BGS-0002/正文.ofd", ofd_bytes(pages=2)))
    builder.item(ws_metadata(3), ("Z109-WS·2011-Y-BGS-0003/附件.jpg", jpeg_bytes()))
    return builder


def test_sound_package_passes_automatic_items_and_lists_manual_ones(builder):
    report = run_checks(sound_package(builder).build())
    assert report.scheme_code == "GD-WS"
    failed = [(r.code, r.target, r.evidence) for r in report.results if r.outcome == Outcome.FAILED]
    assert failed == []
    manual = {r.code for r in report.results if r.outcome == Outcome.MANUAL}
    assert manual == {"GD-2-5", "GD-2-9", "GD-2-10", "GD-3-5", "GD-4-7"}
    # no antivirus configured in this test: the virus items are "not performed", never passed
    assert outcomes(report, "GD-4-2") == {"not_performed"}
    assert outcomes(report, "GD-4-1") == {"not_performed"}
    assert report.outcome == "manual"
    assert outcomes(report, "GD-3-4") == {"passed"}
    assert {r.evidence.get("format") for r in results_for(report, "GD-3-3")} == {"PDFA", "OFD", "JPEG"}
    pages = {r.target: r.evidence.get("pages") for r in results_for(report, "GD-3-4")}
    assert pages["file:Z109-WS·2011-Y-BGS-0002/正文.ofd"] == 2
    ofd = {r.target: r for r in results_for(report, "GD-3-4")}["file:Z109-WS·2011-Y-BGS-0002/正文.ofd"]
    assert ofd.evidence["fonts_not_embedded"] == 1
    assert report.failed_codes() == []


def test_virus_scan_with_real_clamd(builder, clamd_settings):
    sound_package(builder)
    builder.item(ws_metadata(4), ("Z109-WS·2011-Y-BGS-0004/说明.txt", EICAR))
    report = run_checks(builder.build())
    virus = {r.target: r for r in results_for(report, "GD-4-2")}
    bad = virus["file:Z109-WS·2011-Y-BGS-0004/说明.txt"]
    assert bad.outcome == Outcome.FAILED and "EICAR" in bad.evidence["signature"]
    assert virus["file:Z109-WS·2011-Y-BGS-0001/正文.pdf"].outcome == Outcome.PASSED
    assert outcomes(report, "GD-4-1") == {"passed"}
    assert "ClamAV" in report.environment["antivirus"]
    assert report.outcome == "failed" and "GD-4-2" in report.failed_codes()


def test_virus_in_a_structure_file_is_found(builder, clamd_settings, tmp_path):
    from lantai.checks.package import FileView

    sound_package(builder)
    bad = tmp_path / "目录文件.XML"
    bad.write_bytes(b"<?xml version='1.0'?><x>" + EICAR + b"</x>")
    package = builder.build()
    package.structure_files = [FileView("目录文件.XML", bad, bad.stat().st_size, {}, {})]
    report = run_checks(package)
    virus = {r.target: r for r in results_for(report, "GD-4-2")}
    assert virus["file:目录文件.XML"].outcome == Outcome.FAILED
    # structure files are not judged as content
    assert "file:目录文件.XML" not in {r.target for r in results_for(report, "GD-3-3")}


def test_unreachable_clamd_is_not_performed_and_blocks_passing(builder, settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "gone.sock")
    report = run_checks(sound_package(builder).build())
    assert outcomes(report, "GD-4-2") == {"not_performed"}
    assert all(r.evidence.get("reason") for r in results_for(report, "GD-4-2"))
    assert report.outcome != "passed"


def test_wrong_declared_digest_fails_fixity(builder):
    sound_package(builder)
    builder.files[0].declared = {"sm3": "0" * 64}
    report = run_checks(builder.build())
    r = {x.target: x for x in results_for(report, "GD-1-1")}["file:Z109-WS·2011-Y-BGS-0001/正文.pdf"]
    assert r.outcome == Outcome.FAILED and r.evidence["mismatch"] == ["sm3"]
    assert report.outcome == "failed"


def test_no_declared_digest_is_a_warning(builder):
    sound_package(builder)
    builder.files[1].declared = {}
    report = run_checks(builder.build())
    assert outcomes(report, "GD-1-1") == {"passed", "warning"}


def test_jpeg_named_pdf_fails_format_check(builder):
    builder.item(ws_metadata(1), ("a/正文.pdf", jpeg_bytes()))
    report = run_checks(builder.build())
    (r,) = results_for(report, "GD-3-3")
    assert r.outcome == Outcome.FAILED
    assert r.evidence["mime"] == "image/jpeg" and r.evidence["reason"] == "extension does not match content"


def test_format_outside_the_category_list_fails_and_png_warns_for_photos(tmp_path, fonds):
    ws = PackageBuilder(tmp_path / "ws", institution_id=fonds.institution_id)
    (tmp_path / "ws").mkdir()
    ws.item(ws_metadata(1), ("a/录音.wav", wav_bytes()))
    (r,) = results_for(run_checks(ws.build()), "GD-3-3")
    assert r.outcome == Outcome.FAILED and r.evidence["reason"] == "format not allowed"
    assert r.evidence["puid"] in ("fmt/141", "fmt/142", "fmt/143", "fmt/6", "fmt/527")
    assert "WAVE" in r.evidence["description"]

    (tmp_path / "zp").mkdir()
    zp = PackageBuilder(tmp_path / "zp", category="ZP", institution_id=fonds.institution_id)
    zp.item({"title": "合影", "fonds_code": FONDS}, ("p/0001.png", png_bytes()))
    (r,) = results_for(run_checks(zp.build()), "GD-3-3")
    assert r.outcome == Outcome.WARNING and r.evidence["format"] == "PNG"


def test_plain_pdf_is_recognised_as_pdf_not_pdfa(builder):
    builder.item(ws_metadata(1), ("a/正文.pdf", pdf_bytes()))
    (r,) = results_for(run_checks(builder.build()), "GD-3-3")
    assert r.outcome == Outcome.PASSED and r.evidence["format"] == "PDF" and "pdfa" not in r.evidence


def test_truncated_pdf_and_broken_ofd_and_truncated_jpeg_fail_readability(builder):
    whole = pdf_bytes(3)
    builder.item(ws_metadata(1), ("a/截断.pdf", whole[: len(whole) * 2 // 3]))
    builder.item(ws_metadata(2), ("b/坏.ofd", ofd_bytes(break_page=True)))
    jpg = jpeg_bytes((400, 300))
    builder.item(ws_metadata(3), ("c/截断.jpg", jpg[: len(jpg) // 2]))
    builder.item(ws_metadata(4), ("d/空.pdf", b""))
    builder.item(ws_metadata(5), ("e/缺资源.ofd", ofd_bytes(missing_resource=True)))
    report = run_checks(builder.build())
    read = {r.target: r for r in results_for(report, "GD-3-4")}
    assert read["file:a/截断.pdf"].outcome == Outcome.FAILED
    assert "truncated" in read["file:a/截断.pdf"].evidence["error"]
    assert read["file:b/坏.ofd"].outcome == Outcome.FAILED
    assert read["file:c/截断.jpg"].outcome == Outcome.FAILED
    assert read["file:d/空.pdf"].outcome == Outcome.FAILED
    assert read["file:e/缺资源.ofd"].outcome == Outcome.FAILED
    assert read["file:e/缺资源.ofd"].evidence["missing"] == ["image_4.jpg"]
    assert report.outcome == "failed"


def test_encrypted_pdf_and_encrypted_zip_entries_fail(builder):
    builder.item(ws_metadata(1), ("a/加密.pdf", pdf_bytes(password="secret")))
    builder.item(ws_metadata(2), ("b/加密.ofd", ofd_bytes(encrypted_flag=True)))
    report = run_checks(builder.build())
    enc = {r.target: r for r in results_for(report, "GD-3-8")}
    assert enc["file:a/加密.pdf"].outcome == Outcome.FAILED and enc["file:a/加密.pdf"].evidence["encrypted"]
    assert enc["file:b/加密.ofd"].outcome == Outcome.FAILED


def test_totals_and_missing_and_extra_files(builder):
    sound_package(builder)
    builder.registration = {"item_count": 4, "total_bytes": 10, "file_count": 3}
    report = run_checks(builder.build(missing_paths=["x/缺失.pdf"], extra_paths=["y/多余.pdf"]))
    assert outcomes(report, "GD-2-1") == {"failed"}
    assert outcomes(report, "GD-2-2") == {"failed"}
    (r,) = results_for(report, "GD-2-11")
    assert r.outcome == Outcome.FAILED and r.evidence["missing"] == ["x/缺失.pdf"]
    assert results_for(report, "GD-2-1")[0].evidence == {"actual": 3, "declared": 4}


def test_no_registration_warns(builder):
    sound_package(builder)
    report = run_checks(builder.build(registration=False))
    assert outcomes(report, "GD-2-1") == {"warning"}


def test_bad_metadata_fails_the_matching_items(builder):
    pdf = pdf_bytes()
    bad = [
        ws_metadata(1, date="20111345"),  # type/format
        ws_metadata(2, title="题" * 1001),  # length
        ws_metadata(3, retention="D99"),  # value domain
        ws_metadata(4, page_count="0"),  # reasonableness
        ws_metadata(5, title="通知\u0007附件"),  # special characters
        ws_metadata(6, responsible_party=""),  # required
        ws_metadata(7, year="2012"),  # year ≠ date year, and ≠ the 档号's year
    ]
    for i, meta in enumerate(bad, start=1):
        builder.item(meta, (f"i{i}/正文.pdf", pdf))
    report = run_checks(builder.build())

    def failed(code: str) -> set[str]:
        return {r.target for r in results_for(report, code) if r.outcome == Outcome.FAILED}

    assert "item:1" in failed("GD-1-3")
    assert failed("GD-1-2") == {"item:2"}
    assert failed("GD-1-4") == {"item:3"}
    assert "item:4" in failed("GD-1-5")
    assert "item:5" in failed("GD-1-6")
    assert failed("GD-2-4") == {"item:6"}
    assert "item:7" in failed("GD-1-5")
    assert "item:7" in failed("GD-1-7")
    r = {x.target: x for x in results_for(report, "GD-1-7")}["item:7"]
    assert r.evidence["differs_from_metadata"][0]["part"] == "year"
    assert "GD-1-3" in report.failed_codes()


def test_archival_code_form_and_duplicates(builder, fonds):
    cat = Category.objects.get(code="WS")
    Item.objects.create(
        fonds=fonds,
        category=cat,
        title="已有",
        year=2011,
        retention=RetentionPeriod.objects.get(code="Y"),
        archival_code="Z109-WS·2011-Y-BGS-0009",
    )
    pdf = pdf_bytes()
    builder.item(ws_metadata(1, archival_code="Z109/WS/2011/1"), ("a/1.pdf", pdf))
    builder.item(ws_metadata(2), ("a/2.pdf", pdf))
    builder.item(ws_metadata(3, archival_code="Z109-WS·2011-Y-BGS-0002"), ("a/3.pdf", pdf))
    builder.item(ws_metadata(9), ("a/9.pdf", pdf))
    report = run_checks(builder.build())
    form = {r.target: r.outcome for r in results_for(report, "GD-1-7")}
    assert form["item:1"] == Outcome.FAILED and form["item:2"] == Outcome.PASSED
    dup = {r.target: r for r in results_for(report, "GD-1-8")}
    assert dup["item:2"].outcome == Outcome.FAILED and dup["item:3"].outcome == Outcome.FAILED
    assert dup["item:4"].evidence["duplicates"] == [
        {"field": "archival_code", "value": "Z109-WS·2011-Y-BGS-0009", "in_catalogue": True}
    ]
    assert dup["item:1"].outcome == Outcome.PASSED


def test_continuous_numbering_finds_gaps_and_repeats(builder):
    pdf = pdf_bytes()
    for n in (1, 2, 4, 4):
        builder.item(ws_metadata(n, archival_code=""), (f"a/{len(builder.items)}.pdf", pdf))
    (r,) = results_for(run_checks(builder.build()), "GD-2-6")
    assert r.outcome == Outcome.FAILED
    assert r.evidence["problems"][0]["gaps"] == [3] and r.evidence["problems"][0]["repeats"] == [4]


def test_orphan_file_and_item_without_file(builder):
    builder.item(ws_metadata(1), ("a/1.pdf", pdf_bytes()))
    builder.item(ws_metadata(2))
    builder.file("孤立/文件.pdf", pdf_bytes())
    builder.file("说明文件.TXT", "移交单位：兰台市档案局\n".encode())
    report = run_checks(builder.build())
    link = {r.target: r for r in results_for(report, "GD-1-11")}
    assert link["item:2"].outcome == Outcome.FAILED
    assert link["package"].evidence["orphan_files"] == ["孤立/文件.pdf"]
    assert {r.target: r.outcome for r in results_for(report, "GD-2-7")}["item:2"] == Outcome.FAILED


def test_electronic_attributes_compare_size_format_and_created(builder):
    item = builder.item(ws_metadata(1))
    builder.file("a/1.pdf", pdf_bytes(), item=item, declared_size=5, declared_format="PDF")
    builder.file(
        "a/2.ofd", ofd_bytes(), item=item, declared_format="OFD", declared_created="2011-03-05 10:00"
    )
    builder.file("a/3.jpg", jpeg_bytes(), item=item, declared_format="PDF")
    attrs = {r.target: r for r in results_for(run_checks(builder.build()), "GD-1-10")}
    assert attrs["file:a/1.pdf"].evidence["mismatch"] == ["size"]
    assert attrs["file:a/2.ofd"].outcome == Outcome.PASSED
    assert attrs["file:a/3.jpg"].outcome == Outcome.FAILED and attrs["file:a/3.jpg"].evidence["mismatch"] == [
        "format"
    ]


def test_one_broken_runner_does_not_stop_the_run(builder, monkeypatch):
    from lantai.checks import runner

    def boom(ctx, package):
        raise RuntimeError("kaput")

    import lantai.checks.items  # noqa: F401

    monkeypatch.setitem(runner.RUNNERS, "readability", boom)
    report = run_checks(sound_package(builder).build())
    (r,) = results_for(report, "GD-3-4")
    assert r.outcome == Outcome.FAILED and r.evidence["error"] == "RuntimeError"
    assert outcomes(report, "GD-3-3") == {"passed"}


def test_unknown_stage_without_scheme_is_an_error(builder):
    from lantai.checks.runner import CheckSchemeMissing

    package = sound_package(builder).build()
    package.stage = "XX"
    with pytest.raises(CheckSchemeMissing) as exc:
        run_checks(package)
    assert exc.value.code == "checks.no_scheme"


def test_signed_files_go_to_a_person_and_scripts_warn(builder):
    builder.item(ws_metadata(1), ("a/签章.pdf", pdf_bytes(signed=True)))
    builder.item(ws_metadata(2), ("b/签章.ofd", ofd_bytes(signed=True)))
    builder.item(ws_metadata(3), ("c/脚本.pdf", pdf_bytes(javascript=True)))
    report = run_checks(builder.build())
    fixity = {r.target: r for r in results_for(report, "GD-1-1")}
    assert (
        fixity["file:a/签章.pdf"].outcome == Outcome.MANUAL
        and fixity["file:a/签章.pdf"].evidence["signatures"] == 1
    )
    assert fixity["file:b/签章.ofd"].outcome == Outcome.MANUAL
    assert fixity["file:c/脚本.pdf"].outcome == Outcome.PASSED
    usable = {r.target: r for r in results_for(report, "GD-3-8")}
    assert usable["file:c/脚本.pdf"].outcome == Outcome.WARNING
    assert usable["file:c/脚本.pdf"].evidence["active_content"] == ["javascript"]
    assert usable["file:a/签章.pdf"].outcome == Outcome.PASSED
    assert report.outcome == "manual"


def test_numbering_continues_the_catalogue(builder, fonds):
    cat = Category.objects.get(code="WS")
    for n in (1, 2):
        Item.objects.create(
            fonds=fonds,
            category=cat,
            title=f"已归档{n}",
            year=2011,
            retention=RetentionPeriod.objects.get(code="Y"),
            org_code="BGS",
            number=n,
            archival_code=f"Z109-WS·2011-Y-BGS-{n:04d}",
        )
    pdf = pdf_bytes()
    builder.item(ws_metadata(4), ("a/4.pdf", pdf))
    builder.item(ws_metadata(5), ("a/5.pdf", pdf))
    builder.item(ws_metadata(2, org_code="BGS", archival_code=""), ("a/2.pdf", pdf))
    (r,) = results_for(run_checks(builder.build()), "GD-2-6")
    assert r.outcome == Outcome.FAILED
    problem = r.evidence["problems"][0]
    assert problem["catalogue_last_number"] == 2
    assert problem["gaps"] == [3] and problem["already_filed"] == [2]
