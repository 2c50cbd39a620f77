"""兰台 Lantai: an open-source digital archives system (数字档案馆/室系统)."""

__version__ = "0.1.0"
