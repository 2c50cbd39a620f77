"""The package view the checks read: what ingest received, described without any storage or model.

Ingest (online archiving, transfer) and preservation build a ``PackageView`` after safe
unpacking and one hashing pass, then call ``lantai.checks.runner.run_checks``. Nothing here
touches the database or the files; it is the agreed interface between the two apps.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from django.utils.translation import gettext_lazy as _


@dataclass
class FileView:
    path: str  # package-relative path as received, NFC Unicode (never transliterated)
    local_path: Path  # where the bytes are now (staging); read-only for checks
    size: int
    digests: dict[str, str]  # computed in one pass by lantai.core.hashing: {"sm3": …, "sha256": …}
    declared: dict[str, str]  # declared by the sender, algorithm → lowercase hex ({} when none)
    item_seq: int | None = None  # the item it belongs to
    declared_format: str = ""  # format/extension declared in metadata, if any
    declared_size: int | None = None
    declared_created: str = ""  # 电子属性 declared creation time, if any


@dataclass
class ItemView:
    seq: int  # 1-based order in the package
    metadata: dict[str, object]  # raw metadata as submitted, keyed by scheme field codes
    files: list[FileView]


@dataclass
class PackageView:
    stage: str  # "GD" (online archiving) | "YJ" (transfer) | "BC" (preservation)
    source_kind: str  # "api" | "dat93" | "eep" | "bagit"
    institution_id: int
    fonds_code: str
    category_code: str
    items: list[ItemView]
    files: list[FileView]  # every file, including ones linked to no item
    registration: dict[str, object]  # 登记表 as declared: {"item_count": int, "total_bytes": int, …}
    missing_paths: list[str] = field(default_factory=list)  # declared/manifested but absent
    extra_paths: list[str] = field(default_factory=list)  # present but not declared
    package_declared: dict[str, str] = field(default_factory=dict)  # declared whole-package digest(s)
    package_computed: dict[str, str] = field(default_factory=dict)
    notes: dict[str, object] = field(default_factory=dict)
    # Structure files the package reader consumed (说明文件, 目录文件, metadata XML, BagIt tags): not
    # content, so only the virus check reads them — a package may carry a virus anywhere.
    structure_files: list[FileView] = field(default_factory=list)

    @classmethod
    def of_folder_files(
        cls, root: Path, paths: list[Path], *, title: str, stage: str = "GD", category_code: str = "WS"
    ) -> PackageView:
        """One item holding files read straight from a folder, with nothing declared: how a
        folder of loose files (a test corpus, a benchmark set) is put through the checks."""
        files = [
            FileView(
                path=unicodedata.normalize("NFC", str(p.relative_to(root))),
                local_path=p,
                size=p.stat().st_size,
                digests={},
                declared={},
                item_seq=1,
            )
            for p in paths
        ]
        return cls(
            stage=stage,
            source_kind="api",
            institution_id=1,
            fonds_code="Z109",
            category_code=category_code,
            items=[ItemView(seq=1, metadata={"title": title}, files=files)],
            files=files,
            registration={},
        )


class Stage(StrEnum):
    GD = "GD"  # 归档
    YJ = "YJ"  # 移交与接收
    BC = "BC"  # 长期保存


STAGE_LABELS = {Stage.GD: _("Archiving"), Stage.YJ: _("Transfer and accession"), Stage.BC: _("Preservation")}


class Dimension(StrEnum):
    AUTHENTICITY = "authenticity"  # 真实性
    INTEGRITY = "integrity"  # 完整性
    USABILITY = "usability"  # 可用性
    SECURITY = "security"  # 安全性


DIMENSION_LABELS = {
    Dimension.AUTHENTICITY: _("Authenticity"),
    Dimension.INTEGRITY: _("Integrity"),
    Dimension.USABILITY: _("Usability"),
    Dimension.SECURITY: _("Security"),
}


class Outcome(StrEnum):
    PASSED = "passed"  # 通过
    FAILED = "failed"  # 不通过
    WARNING = "warning"  # 警告
    MANUAL = "manual"  # 待人工
    NOT_PERFORMED = "not_performed"  # 未执行


OUTCOME_LABELS = {
    Outcome.PASSED: _("Passed"),
    Outcome.FAILED: _("Failed"),
    Outcome.WARNING: _("Warning"),
    Outcome.MANUAL: _("Manual check pending"),
    Outcome.NOT_PERFORMED: _("Not performed"),
}
