"""Surnames: the bundled file, deduplication, the split by distinct name, encoding and typed input."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

from lstm_core.data.surnames import (
    ALL_LETTERS,
    BUNDLED_FILE,
    MAX_NAME_LENGTH,
    N_LETTERS,
    SurnameInputError,
    clean_name,
    encode_name,
    encode_names,
    imbalance,
    load_surnames,
    split_surnames,
)


@pytest.fixture(scope="module")
def table():
    return load_surnames()


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_file_has_at_least_eight_languages_of_clean_unique_names(table) -> None:
    counts = table.counts()
    assert len(counts) >= 8
    assert {"English", "Irish", "German", "Russian", "Japanese", "Chinese"} <= set(counts)
    assert min(counts.values()) >= 25 and sum(counts.values()) == len(table.names) > 10_000
    keys = [name.casefold() for name in table.names]
    assert len(set(keys)) == len(keys)  # every name once, in one language only
    assert all(set(name) <= set(ALL_LETTERS) and 0 < len(name) <= MAX_NAME_LENGTH for name in table.names)
    assert table.ambiguous > 0  # e.g. names both English and Irish lists hold
    assert table.labels.dtype == np.int64


def test_known_names_carry_their_language(table) -> None:
    language = {name: table.languages[label] for name, label in zip(table.names, table.labels, strict=True)}
    assert language["Ivanov"] == "Russian"
    assert language["Yamamoto"] == "Japanese"
    assert language["Kowalski"] == "Polish"
    assert "Murphy" not in language  # listed as English and as Irish: ambiguous, dropped


def test_names_under_two_languages_are_dropped_and_duplicates_merged(tmp_path) -> None:
    path = write_csv(
        tmp_path / "s.csv",
        "name,language\nSmith,English\nsmith,English\nMurphy,English\n"
        "Murphy,Irish\nKelly,Irish\nAbe,Japanese\n",
    )
    table = load_surnames(path)
    assert sorted(table.names) == ["Abe", "Kelly", "Smith"]
    assert table.ambiguous == 1
    assert table.languages == ("English", "Irish", "Japanese")
    assert table.counts() == {"English": 1, "Irish": 1, "Japanese": 1}


def test_load_reads_gzip_and_refuses_bad_files(tmp_path) -> None:
    gz = tmp_path / "s.csv.gz"
    gz.write_bytes(gzip.compress(b"name,language\nAbe,Japanese\n"))
    assert load_surnames(gz).names == ("Abe",)
    with pytest.raises(ValueError, match="needs the columns name and language"):
        load_surnames(write_csv(tmp_path / "a.csv", "surname,lang\nAbe,Japanese\n"))
    with pytest.raises(ValueError, match=r"outside ALL_LETTERS: \['1'\]"):
        load_surnames(write_csv(tmp_path / "b.csv", "name,language\nAbe1,Japanese\n"))


def test_imbalance_names_largest_smallest_and_majority_baseline() -> None:
    summary = imbalance({"A": 10, "B": 30, "C": 60})
    assert (summary.largest, summary.largest_count, summary.smallest, summary.smallest_count) == (
        "C",
        60,
        "A",
        10,
    )
    assert summary.ratio == 6.0 and summary.majority_share == 0.6
    with pytest.raises(ValueError, match="at least one name"):
        imbalance({"A": 0, "B": 3})


def test_split_is_disjoint_complete_stratified_and_seeded(table) -> None:
    split = split_surnames(table, val_fraction=0.1, test_fraction=0.2, seed=3)
    parts = (split.train, split.val, split.test)
    sets = [set(p.names) for p in parts]
    assert not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2])
    assert sum(len(s) for s in sets) == len(table.names)
    total = np.bincount(table.labels)
    test = np.bincount(split.test.labels, minlength=len(total))
    val = np.bincount(split.val.labels, minlength=len(total))
    assert np.all(test >= 1) and np.all(val >= 1)  # every language is tested and validated
    np.testing.assert_allclose(test / total, 0.2, atol=0.02)
    np.testing.assert_allclose(val / total, 0.1, atol=0.02)
    again = split_surnames(table, val_fraction=0.1, test_fraction=0.2, seed=3)
    assert again.test.names == split.test.names
    assert split_surnames(table, seed=4).test.names != split.test.names
    assert all(len(p.names) == len(p.labels) for p in parts)


def test_split_without_validation_and_bad_fractions(table) -> None:
    split = split_surnames(table, val_fraction=0.0, test_fraction=0.25)
    assert len(split.val.names) == 0 and split.val.labels.shape == (0,)
    with pytest.raises(ValueError, match=r"test_fraction must be in \[0, 1\); got 1.5"):
        split_surnames(table, test_fraction=1.5)
    with pytest.raises(ValueError, match="must be below 0.9"):
        split_surnames(table, val_fraction=0.5, test_fraction=0.45)


def test_encode_names_is_one_hot_zero_padded_with_lengths() -> None:
    x, lengths = encode_names(["Abe", "O'Neill-Li"], seq_len=12)
    assert x.shape == (2, 12, N_LETTERS) and x.dtype == torch.float32
    assert lengths.tolist() == [3, 10] and lengths.dtype == torch.int64
    assert x[0, :3].sum(dim=1).tolist() == [1.0, 1.0, 1.0]
    assert x[0, 3:].abs().sum() == 0 and x[1, 10:].abs().sum() == 0
    decoded = "".join(ALL_LETTERS[int(i)] for i in x[1, :10].argmax(dim=1))
    assert decoded == "O'Neill-Li"
    assert encode_names(["Abe", "Li"])[0].shape == (2, 3, N_LETTERS)


@pytest.mark.parametrize(
    ("names", "seq_len", "message"),
    [
        ([], None, "no names"),
        (["Abe", ""], None, "empty name"),
        (["Ab3"], None, "'3'"),
        (["Abcdef"], 4, "seq_len=4 is shorter than the longest name"),
    ],
)
def test_encode_names_refuses_bad_input(names, seq_len, message) -> None:
    with pytest.raises(ValueError, match=message):
        encode_names(names, seq_len=seq_len)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("Müller", "Muller"),
        ("  Nguyễn  ", "Nguyen"),
        ("Straße", "Strasse"),
        ("Łukasiewicz", "Lukasiewicz"),
        ("O\u2019Brien", "O'Brien"),
        ("van  der Berg", "van der Berg"),
        ("Smith", "Smith"),
    ],
)
def test_typed_names_map_accents_to_ascii(typed, read) -> None:
    name, notes = clean_name(typed)
    assert name == read
    assert bool(notes) == (read != typed.strip())
    encoded = encode_name(typed)
    assert encoded.name == read and encoded.x.shape == (1, len(read), N_LETTERS)
    assert encoded.lengths.tolist() == [len(read)]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "input is empty"),
        ("   ", "input is empty"),
        ("Smith2", "cannot read: '2'"),
        ("王", "cannot read: '王'"),
        ("a.b,c", "cannot read: '.', ','"),
        ("x" * (MAX_NAME_LENGTH + 1), "too long"),
    ],
)
def test_typed_names_that_cannot_be_read_are_refused(typed, message) -> None:
    with pytest.raises(SurnameInputError, match=message):
        encode_name(typed)
    assert issubclass(SurnameInputError, ValueError)


def test_longest_accepted_name_encodes() -> None:
    assert encode_name("a" * MAX_NAME_LENGTH).x.shape == (1, MAX_NAME_LENGTH, N_LETTERS)


@pytest.mark.skipif(
    importlib.util.find_spec("faker") is None or importlib.util.find_spec("anyascii") is None,
    reason="the build-time packages faker and anyascii are not installed",
)
def test_build_script_rebuilds_the_bundled_file_byte_for_byte(tmp_path) -> None:
    import faker

    from lstm_core.data.bundled import build_surnames

    if faker.VERSION != "40.63.0":
        pytest.skip(f"the bundled file was built with faker 40.63.0; this is {faker.VERSION}")
    target = tmp_path / "surnames.csv.gz"
    build_surnames.build(target)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    assert digest == hashlib.sha256(BUNDLED_FILE.read_bytes()).hexdigest()
