"""Packages agencies actually produce: DA/T 93 folders (zip, GBK names), EEP, BagIt — and
the BagIt conformance suite and the format corpus from ../shared/corpora."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from lantai.accounts.actor import Actor
from lantai.catalog.models import Item
from lantai.core.errors import LantaiError
from lantai.ingest import services
from lantai.ingest.models import Submission
from lantai.ingest.unpack import decode_zip_name, safe_relpath

from . import corpus
from .conftest import run_commit_hooks, staging_entries

pytestmark = pytest.mark.django_db

CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
BAGIT_SUITE = CORPORA / "bagit-conformance-suite"
FORMAT_CORPUS = CORPORA / "format-corpus-subset"


def post_package(api, path: Path, **form):
    with path.open("rb") as fh:
        return api.post("/packages", {"package": fh, **form})


def test_dat93_zip_in_a_wrapping_folder_passes_and_is_accepted(api, fonds, ws, archivist, tmp_path):
    folder = corpus.dat93_folder(tmp_path / "移交包", 3)
    z = corpus.zip_folder(folder, tmp_path / "dat93.zip", prefix="移交包/")
    response = post_package(api, z, package_id="YJ-2024-01")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "passed", body["failed"]
    assert body["source_kind"] == "dat93" and body["item_count"] == 3
    sub = Submission.objects.get(public_id=body["id"])
    first = sub.items.get(seq=1)
    assert first.metadata["archival_code"] == "Z109-WS·2024-D30-BGS-0001"
    assert sorted(first.files.values_list("path", flat=True)) == [
        "移交包/Z109/WS/Z109-WS·2024-D30-BGS-0001/正文.pdf",
        "移交包/Z109/WS/Z109-WS·2024-D30-BGS-0001/电子档案元数据.XML",
    ]
    pdf = first.files.get(path__endswith="正文.pdf")
    assert pdf.declared == {"sm3": pdf.sm3}
    services.accept(Actor.for_user(archivist), sub)
    assert sorted(Item.objects.values_list("archival_code", flat=True)) == [
        f"Z109-WS·2024-D30-BGS-{n:04d}" for n in (1, 2, 3)
    ]


def test_dat93_altered_file_fails_against_its_declared_sm3(api, fonds, ws, tmp_path, ingest_dirs):
    folder = corpus.dat93_folder(tmp_path / "pkg", 2)
    target = folder / "Z109" / "WS" / "Z109-WS·2024-D30-BGS-0002" / "正文.pdf"
    target.write_bytes(corpus.pdf_bytes("altered after declaration"))
    response = post_package(api, corpus.zip_folder(folder, tmp_path / "p.zip"))
    assert response.status_code == 422
    failed = response.json()["details"]["failed"]
    assert ("GD-1-1", "file:Z109/WS/Z109-WS·2024-D30-BGS-0002/正文.pdf") in {
        (f["code"], f["target"]) for f in failed
    }
    run_commit_hooks()
    assert staging_entries(ingest_dirs) == []


def test_gbk_names_are_decoded_and_kept_in_original_unicode(api, fonds, ws, tmp_path):
    folder = corpus.dat93_folder(tmp_path / "pkg", 1)
    entries = {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
    z = corpus.gbk_zip(tmp_path / "gbk.zip", entries)
    with zipfile.ZipFile(z) as zf:
        assert all(not (i.flag_bits & 0x800) for i in zf.infolist())
        assert {decode_zip_name(i) for i in zf.infolist()} == set(entries)
    response = post_package(api, z)
    assert response.status_code == 201, response.content
    sub = Submission.objects.get(public_id=response.json()["id"])
    assert "Z109/WS/Z109-WS·2024-D30-BGS-0001/正文.pdf" in set(sub.files.values_list("path", flat=True))


def test_unsafe_relpaths():
    assert safe_relpath("a/./b\\c.pdf") == "a/b/c.pdf"
    assert safe_relpath("档案/e\u0301.pdf") == "档案/\u00e9.pdf"  # NFC
    for bad in ("../x", "a/../../x", "/x", "C:\\x", "~/x", "a\x00b"):
        with pytest.raises(LantaiError):
            safe_relpath(bad)


def test_eep_passes_and_its_base64_content_is_staged(api, fonds, ws, tmp_path):
    path = tmp_path / "封装包.xml"
    path.write_bytes(corpus.eep_xml(2))
    response = post_package(api, path, fonds_code="Z109", category_code="WS", package_id="EEP-1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source_kind"] == "eep" and body["item_count"] == 2, body
    sub = Submission.objects.get(public_id=body["id"])
    assert sorted(sub.files.values_list("path", flat=True)) == ["EF-0001/正文1.pdf", "EF-0002/正文2.pdf"]
    assert sub.items.get(seq=1).metadata["title"] == "封装测试文件1"


def test_gb18030_encoded_catalogue_xml_is_read(api, fonds, ws, tmp_path):
    folder = corpus.dat93_folder(tmp_path / "pkg", 1)
    xml = (folder / "目录文件.XML").read_text("utf-8").replace('encoding="UTF-8"', 'encoding="GB18030"')
    (folder / "目录文件.XML").write_bytes(xml.encode("gb18030"))
    response = post_package(api, corpus.zip_folder(folder, tmp_path / "p.zip"))
    assert response.status_code == 201, response.content
    sub = Submission.objects.get(public_id=response.json()["id"])
    assert sub.items.get().metadata["title"] == "关于第1次工作会议的通知"


def test_bag_with_item_list_passes(api, fonds, ws, tmp_path):
    pdf = corpus.pdf_bytes("bag")
    items = [{"metadata": corpus.ws_metadata(1), "files": ["正文.pdf"]}]
    bag = corpus.bag_folder(tmp_path, {"正文.pdf": pdf}, algorithms=("sha256", "md5"), items=items)
    response = post_package(api, corpus.zip_folder(bag, tmp_path / "bag.zip"))
    assert response.status_code == 201, response.content
    sub = Submission.objects.get(public_id=response.json()["id"])
    assert sub.package_id == "BAG-0001" and sub.source_kind == "bagit"
    f = sub.files.get(path="data/正文.pdf")
    assert set(f.declared) == {"sha256", "md5"} and f.digests["md5"] == f.declared["md5"]


def test_bag_with_changed_payload_fails(api, fonds, ws, tmp_path):
    bag = corpus.bag_folder(tmp_path, {"a.pdf": corpus.pdf_bytes("a")})
    (bag / "data" / "a.pdf").write_bytes(corpus.pdf_bytes("b"))
    response = post_package(api, corpus.zip_folder(bag, tmp_path / "bag.zip"))
    assert response.status_code == 422, response.content
    failed = response.json()["details"]["failed"]
    assert ("GD-1-1", "file:data/a.pdf") in {(f["code"], f["target"]) for f in failed}


def _suite_bags(kind: str) -> list[Path]:
    bags = sorted(p for p in BAGIT_SUITE.glob(f"v*/{kind}/*") if p.is_dir())
    # An empty list would silently skip the conformance tests: fail at collection instead.
    if not bags:
        raise RuntimeError(f"BagIt conformance suite not found at {BAGIT_SUITE} (expected ../shared/corpora)")
    return bags


# Valid by the BagIt specification but not archivable here, by design: a holey bag's payload
# is elsewhere (fetch.txt), and an archive does not fetch remote content on ingest.
NOT_ARCHIVABLE = {"holey-bag"}


@pytest.mark.parametrize("bag", _suite_bags("valid"), ids=lambda p: f"{p.parts[-3]}-{p.name}")
def test_bagit_conformance_valid_bags_are_read(bag, system, agency, fonds, ws, tmp_path):
    actor = _agency_actor(agency)
    if bag.name in NOT_ARCHIVABLE:
        with pytest.raises(LantaiError) as info:
            services.submit_package(actor, bag, form={"fonds_code": "Z109", "category_code": "WS"})
        assert info.value.code == "ingest.bagit_invalid"
        return
    sub, created = services.submit_package(actor, bag, form={"fonds_code": "Z109", "category_code": "WS"})
    assert created
    failed = [r for r in sub.report["results"] if r["blocking"] and r["outcome"] == "failed"]
    integrity = [r for r in failed if r["code"] in ("GD-1-1", "GD-2-11", "GD-1-12")]
    assert integrity == [], integrity


@pytest.mark.parametrize("bag", _suite_bags("invalid"), ids=lambda p: f"{p.parts[-3]}-{p.name}")
def test_bagit_conformance_invalid_bags_are_refused(bag, agency, fonds, ws, ingest_dirs):
    actor = _agency_actor(agency)
    try:
        sub, _created = services.submit_package(
            actor, bag, form={"fonds_code": "Z109", "category_code": "WS"}
        )
    except LantaiError as exc:
        assert exc.code in ("ingest.bagit_invalid", "ingest.unsafe_path"), exc.code
        assert Submission.objects.count() == 0
    else:
        assert sub.status == Submission.Status.FAILED, sub.report
    run_commit_hooks()
    assert staging_entries(ingest_dirs) == []


def _agency_actor(agency) -> Actor:
    return Actor(
        kind="apikey",
        id="test",
        name="apikey:test",
        permissions=frozenset({"ingest.submit"}),
        institution_scope=frozenset({agency.pk}),
        clearance=1,
        institution_id=agency.pk,
    )


def test_format_corpus_never_crashes_the_checks(agency, fonds, ws, tmp_path):
    """Every file of the format corpus goes through receiving and the checks: each ends in a
    decided submission (passed or failed) with a report, never an unhandled error."""
    files = sorted(p for p in FORMAT_CORPUS.rglob("*") if p.is_file())
    assert len(files) > 400
    bag_root = tmp_path / "corpus"
    payload = {p.relative_to(FORMAT_CORPUS).as_posix(): p.read_bytes() for p in files}
    bag = corpus.bag_folder(bag_root, payload, package_id="FORMAT-CORPUS")
    sub, _created = services.submit_package(_agency_actor(agency), bag)
    assert sub.status in (Submission.Status.PASSED, Submission.Status.FAILED)
    results = sub.report["results"]
    crashed = [r for r in results if "error" in (r.get("evidence") or {}) and r["code"] != "GD-3-4"]
    assert crashed == [], crashed[:5]
    assert {r["target"] for r in results if r["target"].startswith("file:")} >= {
        f"file:data/{p}" for p in list(payload)[:50]
    }


def test_duplicate_archival_code_within_a_package_fails(api, fonds, ws, tmp_path):
    code = "Z109-WS·2024-D30-BGS-0001"
    folder = corpus.dat93_folder(tmp_path / "pkg", 2, codes=[code, code])
    response = post_package(api, corpus.zip_folder(folder, tmp_path / "dup.zip"))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "ingest.checks_failed"
    assert Item.objects.count() == 0
