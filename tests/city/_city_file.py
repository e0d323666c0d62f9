"""Tainan's shipped city file with one section replaced, for the tests of that section."""

from __future__ import annotations

from pathlib import Path

from rehabus.dispatch.settings import get_settings

CITIES_DIR = get_settings().shipped_data_dir / "cities"


def tainan_with_section(tmp_path: Path, section: str, body: str | None) -> Path:
    """Tainan's file with its ``section`` (``'[planning]'``) replaced by ``body`` (``None``:
    the section left out), written under ``tmp_path``."""
    lines = (CITIES_DIR / "tainan.toml").read_text(encoding="utf-8").splitlines()
    start = lines.index(section)
    end = next((k for k in range(start + 1, len(lines)) if lines[k].startswith("[")), len(lines))
    kept = lines[:start] + ([section, body] if body is not None else []) + lines[end:]
    path = tmp_path / f"tainan-{section.strip('[]')}.toml"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path
