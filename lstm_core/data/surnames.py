"""Surnames and their languages of origin (seed 004's task), from the bundled ``surnames.csv.gz``.

The file holds faker's per-locale surname lists transliterated to ASCII (ATTRIBUTION.md,
``bundled/build_surnames.py``). Loading it:

* drops names listed under more than one language (compared case-insensitively): "Murphy"
  is both an English and an Irish surname, so any label would be a coin toss the model is
  scored on; ``SurnameTable.ambiguous`` counts them;
* ``split_surnames`` splits by distinct name (after that, each name sits in one row), stratified
  by language and seeded, so no name is in two parts;
* ``encode_names`` one-hot encodes names over ``ALL_LETTERS`` as zero-padded
  (N, T, V) float32 sequences with their lengths; ``encode_name`` does it for typed input,
  mapping accented letters to ASCII with ``unicodedata`` and refusing what cannot be mapped.
"""

from __future__ import annotations

import csv
import gzip
import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

BUNDLED_FILE = Path(__file__).resolve().parent / "bundled" / "surnames.csv.gz"
# Seed 004 uses ascii_letters + " .,;'"; names here also hold hyphens ("Garcia-Lopez") and no
# punctuation, so the vocabulary is letters, space, apostrophe and hyphen: V = 55.
ALL_LETTERS = string.ascii_letters + " '-"
N_LETTERS = len(ALL_LETTERS)
MAX_NAME_LENGTH = 30  # longest accepted input; the longest bundled name has 28 characters
_INDEX = {ch: i for i, ch in enumerate(ALL_LETTERS)}
# Letters NFKD does not split into a base letter and a mark.
_SPECIAL = {
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "ø": "o",
    "Ø": "O",
    "œ": "oe",
    "Œ": "OE",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "Th",
    "ı": "i",
    "\u2019": "'",
    "\u2018": "'",
    "`": "'",
    "\u00b4": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2013": "-",
}


class SurnameInputError(ValueError):
    """A typed name cannot be read: empty, too long, or with characters outside ``ALL_LETTERS``."""


@dataclass(frozen=True)
class SurnameTable:
    """Deduplicated surnames: ``names[i]`` belongs to ``languages[labels[i]]``."""

    names: tuple[str, ...]
    labels: np.ndarray  # (N,) int64 index into languages
    languages: tuple[str, ...]  # class names, sorted
    ambiguous: int  # distinct names dropped because two or more languages list them

    def counts(self) -> dict[str, int]:
        """Names per language, in class order."""
        return dict(
            zip(self.languages, np.bincount(self.labels, minlength=len(self.languages)).tolist(), strict=True)
        )


@dataclass(frozen=True)
class SurnamePart:
    """One part of a split: names and their class indices (N,) int64."""

    names: tuple[str, ...]
    labels: np.ndarray


@dataclass(frozen=True)
class SurnameSplit:
    """Train / validation / test parts; every name is in exactly one."""

    train: SurnamePart
    val: SurnamePart
    test: SurnamePart
    languages: tuple[str, ...]
    seed: int


@dataclass(frozen=True)
class Imbalance:
    """How uneven the classes are; ``majority_share`` is the accuracy of always guessing the largest."""

    largest: str
    largest_count: int
    smallest: str
    smallest_count: int
    ratio: float  # largest_count / smallest_count
    majority_share: float  # largest_count / total, 0..1


def load_surnames(path: str | Path = BUNDLED_FILE) -> SurnameTable:
    """Read a ``name,language[,...]`` CSV (gzip or plain), deduplicate, drop ambiguous names.

    Within a language, a name listed twice (case-insensitively) is kept once; a name listed
    under two or more languages is dropped (counted in ``ambiguous``).

    Raises:
        ValueError: if the file lacks the columns or holds a name outside ``ALL_LETTERS``.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if not {"name", "language"} <= set(reader.fieldnames or ()):
            raise ValueError(f"{path.name} needs the columns name and language; got {reader.fieldnames}")
        rows = [(row["name"].strip(), row["language"].strip()) for row in reader]
    spelling: dict[str, str] = {}
    languages_of: dict[str, set[str]] = {}
    for name, language in rows:
        if not name or not language:
            raise ValueError(f"{path.name}: empty name or language in row {name!r},{language!r}")
        bad = sorted({ch for ch in name if ch not in _INDEX})
        if bad:
            raise ValueError(f"{path.name}: name {name!r} has characters outside ALL_LETTERS: {bad}")
        key = name.casefold()
        spelling.setdefault(key, name)
        languages_of.setdefault(key, set()).add(language)
    languages = tuple(sorted({language for _, language in rows}))
    index = {language: i for i, language in enumerate(languages)}
    kept = sorted((key for key, langs in languages_of.items() if len(langs) == 1))
    names = tuple(spelling[key] for key in kept)
    labels = np.array([index[next(iter(languages_of[key]))] for key in kept], dtype=np.int64)
    return SurnameTable(names, labels, languages, ambiguous=len(languages_of) - len(kept))


def imbalance(counts: dict[str, int]) -> Imbalance:
    """Largest and smallest class, their ratio and the majority-class baseline accuracy."""
    if not counts or min(counts.values()) <= 0:
        raise ValueError(f"every class needs at least one name; got {counts}")
    largest = max(counts, key=lambda k: (counts[k], k))
    smallest = min(counts, key=lambda k: (counts[k], k))
    total = sum(counts.values())
    return Imbalance(
        largest,
        counts[largest],
        smallest,
        counts[smallest],
        counts[largest] / counts[smallest],
        counts[largest] / total,
    )


def split_surnames(
    table: SurnameTable, val_fraction: float = 0.1, test_fraction: float = 0.2, seed: int = 0
) -> SurnameSplit:
    """Split the names into train / val / test, stratified by language, seeded.

    Each language's names are shuffled and cut by the fractions (rounded; a language with at
    least three names puts one or more in each held-out part whose fraction is above zero).

    Raises:
        ValueError: if a fraction is outside [0, 1) or both leave no training names.
    """
    for label, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not 0.0 <= value < 1.0:
            raise ValueError(f"{label} must be in [0, 1); got {value}")
    if val_fraction + test_fraction >= 0.9:
        raise ValueError(
            f"val_fraction + test_fraction must be below 0.9; got {val_fraction + test_fraction}"
        )
    rng = np.random.default_rng(seed)
    parts: dict[str, list[int]] = {"train": [], "val": [], "test": []}
    for cls in range(len(table.languages)):
        members = np.flatnonzero(table.labels == cls)
        members = members[rng.permutation(len(members))]
        n_test = _share(len(members), test_fraction)
        n_val = _share(len(members), val_fraction)
        parts["test"] += members[:n_test].tolist()
        parts["val"] += members[n_test : n_test + n_val].tolist()
        parts["train"] += members[n_test + n_val :].tolist()

    def part(indices: list[int]) -> SurnamePart:
        order = np.array(sorted(indices), dtype=np.int64)
        return SurnamePart(tuple(table.names[i] for i in order), table.labels[order].copy())

    return SurnameSplit(part(parts["train"]), part(parts["val"]), part(parts["test"]), table.languages, seed)


def _share(n: int, fraction: float) -> int:
    if fraction <= 0 or n < 3:
        return 0
    return max(1, round(n * fraction))


def encode_names(names: Sequence[str], seq_len: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """One-hot encode names over ``ALL_LETTERS``, zero-padded after each name's end.

    Args:
        names: N names made of ``ALL_LETTERS`` only.
        seq_len: T; defaults to the longest name. Must be at least that long.

    Returns:
        ``(x, lengths)``: x (N, T, N_LETTERS) float32, lengths (N,) int64.

    Raises:
        ValueError: on no names, an empty name, an unknown character or a too-short seq_len.
    """
    if len(names) == 0:
        raise ValueError("no names to encode")
    lengths = torch.tensor([len(name) for name in names], dtype=torch.int64)
    if int(lengths.min()) == 0:
        raise ValueError("cannot encode an empty name")
    longest = int(lengths.max())
    seq_len = longest if seq_len is None else seq_len
    if seq_len < longest:
        raise ValueError(f"seq_len={seq_len} is shorter than the longest name ({longest} characters)")
    rows, steps, columns = [], [], []
    for row, name in enumerate(names):
        for step, ch in enumerate(name):
            if ch not in _INDEX:
                raise ValueError(f"name {name!r} has a character outside ALL_LETTERS: {ch!r}")
            rows.append(row)
            steps.append(step)
            columns.append(_INDEX[ch])
    x = torch.zeros(len(names), seq_len, N_LETTERS)
    x[rows, steps, columns] = 1.0
    return x, lengths


def clean_name(text: str) -> tuple[str, tuple[str, ...]]:
    """Map typed input onto ``ALL_LETTERS``: accents stripped (NFKD), spaces collapsed.

    Returns:
        ``(name, notes)``: the name as the model reads it and one note per change made,
        e.g. ``"read 'Müller' as 'Muller'"``.

    Raises:
        SurnameInputError: empty input, more than ``MAX_NAME_LENGTH`` characters, or characters
            that have no ASCII letter (listed in the message).
    """
    stripped = " ".join(str(text).split())
    if not stripped:
        raise SurnameInputError("type a surname: the input is empty")
    out, unknown = [], []
    for ch in stripped:
        mapped = ch if ch in _INDEX else _SPECIAL.get(ch)
        if mapped is None:
            # NFKD splits "é" into "e" + a combining accent; keep the base letter(s).
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            mapped = base if base and all(c in _INDEX for c in base) else None
        if mapped is None:
            unknown.append(ch)
        else:
            out.append(mapped)
    if unknown:
        shown = ", ".join(repr(ch) for ch in dict.fromkeys(unknown))
        raise SurnameInputError(
            f"{stripped!r} has characters the model cannot read: {shown}; use letters, space, ' and - only"
        )
    name = "".join(out)
    if len(name) > MAX_NAME_LENGTH:
        raise SurnameInputError(f"a surname of {len(name)} characters is too long; at most {MAX_NAME_LENGTH}")
    notes = (f"read {stripped!r} as {name!r}",) if name != str(text).strip() else ()
    return name, notes


@dataclass(frozen=True)
class EncodedName:
    """A typed name ready for a model: x (1, len(name), N_LETTERS), lengths (1,)."""

    name: str
    x: torch.Tensor
    lengths: torch.Tensor
    notes: tuple[str, ...]


def encode_name(text: str) -> EncodedName:
    """Clean typed input (``clean_name``) and one-hot encode it. Raises SurnameInputError."""
    name, notes = clean_name(text)
    x, lengths = encode_names([name])
    return EncodedName(name, x, lengths, notes)
