"""Taiwan's national identification and resident certificate numbers, checked by their check
digit. The valid numbers below were worked out by hand from the rule (letter A=10: 1×1 + 0×9,
the next eight characters × 8..1, the last × 1; the sum a multiple of 10)."""

from __future__ import annotations

import contextlib
import re

import pytest

from rehabus.dispatch.booking import NationalIdError, check_national_id, mask_national_id
from rehabus.dispatch.booking._identity import LETTER_CODES
from rehabus.dispatch.errors import InputError

HAN = re.compile(r"[\u4e00-\u9fff]")

VALID = [
    # national identification card: A=10 → 1 + 0; 1..8 × 8..1 = 120; + 9 → 130
    "A123456789",
    # a woman's (second digit 2), from Taipei (A)
    "A223456781",
    # old resident certificate: A → 1; C → 2 × 8 = 16; 0..6 × 7..1 = 56; + 7 → 80
    "AC01234567",
    # new resident certificate (since 2021-01-02): 1 + 8 × 8 + 1 × 1 + 4 → 70
    "A800000014",
    # Z=33: 3 + 27; 9 × 8 = 72; + 8 → 110
    "Z900000008",
    # F=15: 1 + 45; 1 × 8 + 3 × 7 + 1 × 6 + 1 × 5 + 0 + 4 × 3 + 0 + 9 × 1 = 61; + 3 → 110
    "F131104093",
]


@pytest.mark.parametrize("number", VALID)
def test_valid_numbers_are_taken(number: str) -> None:
    assert check_national_id(number) == number


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("a123456789", "A123456789"),
        ("  A123 456 789 ", "A123456789"),
        ("A123-456-789", "A123456789"),
        ("ａ１２３４５６７８９", "A123456789"),  # full width, from a Chinese input method
        ("ac01234567", "AC01234567"),
    ],
)
def test_lower_case_spaces_and_full_width_are_normalised(typed: str, number: str) -> None:
    assert check_national_id(typed) == number


@pytest.mark.parametrize(
    "number",
    [
        "A123456788",  # the check digit off by one
        "B123456789",  # another letter: the check digit no longer matches
        "AD01234567",  # old resident format, second letter changed
        "A800000015",  # new resident format, check digit changed
        "A900000014",  # 8 → 9: the sum moves by 8
    ],
)
def test_a_wrong_check_digit_is_refused(number: str) -> None:
    with pytest.raises(NationalIdError, match="check digit") as caught:
        check_national_id(number)
    assert caught.value.field == "national_id"
    assert "檢查碼" in caught.value.message_zh


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("A12345678", "10 characters"),
        ("A1234567890", "10 characters"),
        ("1123456789", "first character"),
        ("@123456789", "first character"),
        ("A323456789", "not a national identification number"),  # 3: no such format
        ("AE01234567", "not a national identification number"),  # E: not an old resident code
        ("A12345678X", "not a national identification number"),
        ("AB1234567C", "not a national identification number"),
    ],
)
def test_malformed_numbers_are_refused_naming_the_field(number: str, says: str) -> None:
    with pytest.raises(InputError) as caught:
        check_national_id(number)
    error = caught.value
    assert isinstance(error, NationalIdError)
    assert str(error).startswith("national_id: ")
    assert says in error.message_en
    assert HAN.search(error.message_zh), error.message_zh


def test_every_letter_has_its_code() -> None:
    assert sorted(LETTER_CODES) == [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    assert len(set(LETTER_CODES.values())) == 26
    assert (LETTER_CODES["I"], LETTER_CODES["O"], LETTER_CODES["W"]) == (34, 35, 32)


@pytest.mark.parametrize("letter", sorted(LETTER_CODES))
def test_exactly_one_check_digit_completes_each_letter(letter: str) -> None:
    """For every letter and format, one and only one last digit makes a valid number."""
    for second in "12ABCD89":
        stem = f"{letter}{second}1234567"
        valid = []
        for d in range(10):
            with contextlib.suppress(NationalIdError):
                valid.append(check_national_id(f"{stem}{d}"))
        assert len(valid) == 1, (stem, valid)


def test_masked_shows_only_the_ends() -> None:
    assert mask_national_id("A123456789") == "A12****789"
    assert mask_national_id("AC01234567") == "AC0****567"
    assert mask_national_id("ABC") == "***"
