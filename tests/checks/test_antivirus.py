"""The virus check against a real clamd: EICAR found (also nested in zips), clean passes,
no scanner or a dead scanner is never "passed"."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lantai.checks.antivirus import ClamdScanner, NoScanner, ScanStatus, get_scanner
from tests.conftest import EICAR


def test_eicar_file_is_infected_with_signature_name(clamd_socket, tmp_path: Path):
    f = tmp_path / "通知.txt"
    f.write_bytes(EICAR)
    result = ClamdScanner(socket_path=clamd_socket).scan_file(f)
    assert result.status == ScanStatus.INFECTED
    assert result.signature and "Lantai.Test.EICAR" in result.signature


def test_eicar_in_zip_in_zip_is_infected(clamd_socket, tmp_path: Path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("附件/eicar.com", EICAR)
    outer = tmp_path / "包.zip"
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("inner.zip", inner.getvalue())
        z.writestr("readme.txt", "正常文件")
    result = ClamdScanner(socket_path=clamd_socket).scan_file(outer)
    assert result.status == ScanStatus.INFECTED
    assert "EICAR-NDB" in (result.signature or "")


def test_clean_file_is_clean(clamd_socket, tmp_path: Path):
    f = tmp_path / "clean.txt"
    f.write_text("兰台 四性检测 正常文件\n" * 100, encoding="utf-8")
    assert ClamdScanner(socket_path=clamd_socket).scan_file(f).status == ScanStatus.CLEAN


def test_unreachable_clamd_is_an_error_not_clean(tmp_path: Path):
    f = tmp_path / "clean.txt"
    f.write_text("x", encoding="utf-8")
    result = ClamdScanner(socket_path=str(tmp_path / "no-such.sock"), timeout=2).scan_file(f)
    assert result.status == ScanStatus.ERROR
    assert result.detail


def test_get_scanner_follows_settings(settings, clamd_socket):
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_ADDRESS = ""
    assert isinstance(get_scanner(), NoScanner)
    assert get_scanner().scan_file(Path("/nonexistent")).status == ScanStatus.NOT_CONFIGURED
    settings.CLAMD_ADDRESS = "127.0.0.1:1"
    scanner = get_scanner()
    assert isinstance(scanner, ClamdScanner) and scanner.address == "127.0.0.1:1"
    settings.CLAMD_SOCKET = clamd_socket
    scanner = get_scanner()
    assert isinstance(scanner, ClamdScanner) and scanner.socket_path == clamd_socket
    assert "ClamAV" in scanner.describe()


def test_signature_date_is_read_from_the_clamd_version():
    from lantai.checks.items.antivirus import signature_date

    assert str(signature_date("ClamAV 1.4.6/27421/Mon Oct 14 08:37:02 2024")) == "2024-10-14"
    assert signature_date("ClamAV 1.4.6") is None  # local test signatures only
    assert signature_date("ClamAV 1.4.6/27421/garbage") is None


def test_file_over_the_stream_limit_is_not_performed_and_the_others_are_still_scanned(
    tmp_path: Path, settings, db
):
    """clamd drops a stream longer than StreamMaxLength: that file is "not performed", never
    "passed", and the scan goes on with the next file instead of giving up on clamd."""
    from lantai.checks.package import FileView, ItemView, Outcome, PackageView
    from lantai.checks.runner import run_checks
    from tests.conftest import running_clamd

    (tmp_path / "clamd").mkdir()
    with running_clamd(tmp_path / "clamd", stream_max_length="1M") as sock:
        settings.CLAMD_SOCKET = sock
        big = tmp_path / "big.bin"
        big.write_bytes(b"\0" * (3 << 20))
        virus = tmp_path / "eicar.txt"
        virus.write_bytes(EICAR)
        files = [
            FileView(path=p.name, local_path=p, size=p.stat().st_size, digests={}, declared={}, item_seq=1)
            for p in (big, virus)
        ]
        package = PackageView(
            stage="GD",
            source_kind="api",
            institution_id=1,
            fonds_code="Z109",
            category_code="WS",
            items=[ItemView(seq=1, metadata={}, files=files)],
            files=files,
            registration={},
        )
        report = run_checks(package)
    scanned = {r.target: r for r in report.results if r.code == "GD-4-2"}
    assert scanned["file:big.bin"].outcome == Outcome.NOT_PERFORMED
    assert "StreamMaxLength" in scanned["file:big.bin"].evidence["reason"]
    assert scanned["file:eicar.txt"].outcome == Outcome.FAILED
