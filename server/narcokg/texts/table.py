"""How an entry of the catalogue is written: both languages, or English only on purpose."""

from __future__ import annotations

LANGS = ("en", "id")


def both(en: str, id_: str) -> dict[str, str | None]:
    """A sentence in English and Indonesian."""
    return {"en": en, "id": id_}


def english_only(en: str) -> dict[str, str | None]:
    """A sentence that exists only in English, said so where it is shown (the "EN" marker)."""
    return {"en": en, "id": None}
