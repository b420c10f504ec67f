"""Rebuild ``surnames.csv.gz`` from faker's per-locale surname lists (run by hand, never at import).

Build-time dependencies only (NOT runtime requirements; the app reads the finished file):
``pip install faker==40.63.0 anyascii==0.3.3``, then
``python -m lstm_core.data.bundled.build_surnames``. With those versions the output is
byte-identical (sorted rows, gzip ``mtime=0``).

Sources: faker (MIT License, Copyright (c) 2012 Daniele Faraglia), ``faker.providers.person.<locale>``;
transliteration to ASCII with anyascii (ISC License, Copyright (c) 2020-2025 Hunter WB).
ATTRIBUTION.md lists the locales, the upstream sources faker names for them and the counts.

What the build does, per language (a language pools one or more locales):
* take the locale's surname list (for Czech, Russian and Greek only the masculine forms: the
  feminine ones are the same names with a suffix, near-copies that would straddle the split);
* transliterate to ASCII with anyascii; CJK syllables are joined and re-cased ("OuYang" -> "Ouyang");
* keep names made only of ASCII letters, space, apostrophe and hyphen, at most 30 characters;
* drop exact duplicates within the language, case-insensitively (the first spelling wins).
Names listed under two languages are kept here; the loader (lstm_core.data.surnames) drops them.
"""

from __future__ import annotations

import csv
import gzip
import importlib
import io
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE / "surnames.csv.gz"
MAX_LENGTH = 30
_ALLOWED = re.compile(r"^[A-Za-z][A-Za-z' -]*$")
_CJK = ("ko_KR", "zh_CN", "zh_TW")

# language -> ((locale, attribute of that locale's person Provider), ...)
SOURCES: dict[str, tuple[tuple[str, str], ...]] = {
    "Chinese": (("zh_CN", "last_names"), ("zh_TW", "last_names")),
    "Czech": (("cs_CZ", "last_names_male"),),
    "Dutch": (("nl_NL", "last_names"), ("nl_BE", "last_names")),
    "English": (("en_GB", "last_names"),),
    "French": (("fr_FR", "last_names"), ("fr_CA", "last_names")),
    "German": (("de_DE", "last_names"), ("de_AT", "last_names"), ("de_CH", "last_names")),
    "Greek": (("el_GR", "last_names_male"),),
    "Irish": (("en_IE", "last_names"),),
    "Italian": (("it_IT", "last_names"),),
    "Japanese": (("ja_JP", "last_romanized_names"),),
    "Korean": (("ko_KR", "last_names"),),
    "Polish": (("pl_PL", "male_last_names"), ("pl_PL", "unisex_last_names")),
    "Portuguese": (("pt_PT", "last_names"), ("pt_BR", "last_names")),
    "Russian": (("ru_RU", "last_names_male"),),
    "Spanish": (("es_ES", "last_names"), ("es_MX", "last_names")),
}


def to_ascii(name: str, locale: str) -> str:
    from anyascii import anyascii  # build-time only

    text = " ".join(anyascii(name).split())
    if locale in _CJK:
        text = text.capitalize()  # anyascii writes one capital per syllable: "OuYang"
    return text


def collect() -> tuple[list[tuple[str, str, str]], dict[str, dict[str, int]]]:
    """Rows (name, language, locale) and per-language counts of what was kept and dropped."""
    rows: list[tuple[str, str, str]] = []
    report: dict[str, dict[str, int]] = {}
    for language, sources in SOURCES.items():
        seen: set[str] = set()
        stats = {"source": 0, "bad_chars": 0, "too_long": 0, "duplicate": 0, "kept": 0}
        for locale, attribute in sources:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
            for raw in getattr(provider, attribute):  # tuples, lists and OrderedDicts (keys) alike
                stats["source"] += 1
                name = to_ascii(raw, locale)
                if not _ALLOWED.match(name):
                    stats["bad_chars"] += 1
                elif len(name) > MAX_LENGTH:
                    stats["too_long"] += 1
                elif name.casefold() in seen:
                    stats["duplicate"] += 1
                else:
                    seen.add(name.casefold())
                    rows.append((name, language, locale))
                    stats["kept"] += 1
        report[language] = stats
    rows.sort(key=lambda row: (row[1], row[0].casefold(), row[0]))
    return rows, report


def build(target: Path = TARGET) -> dict[str, dict[str, int]]:
    rows, report = collect()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "language", "locale"])
    writer.writerows(rows)
    with gzip.GzipFile(target, "wb", mtime=0) as fh:  # mtime=0: reproducible bytes
        fh.write(buffer.getvalue().encode("ascii"))
    return report


if __name__ == "__main__":
    import faker

    print(f"faker {faker.VERSION}")
    for language, stats in build().items():
        print(f"{language:<11} " + " ".join(f"{key}={value}" for key, value in stats.items()))
