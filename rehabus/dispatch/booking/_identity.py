"""Taiwan's personal identification numbers: the national identification card (身分證統一編號)
and the resident certificate (居留證統一證號), old and new formats, checked by their check digit.
"""

from __future__ import annotations

import re
import unicodedata

from rehabus.dispatch.errors import InputError

__all__ = ["NationalIdError", "check_national_id", "mask_national_id"]

LETTER_CODES: dict[str, int] = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34, "J": 18,
    "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25, "S": 26, "T": 27,
    "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}  # fmt: skip
"""The two-digit number of the first letter (the place of first registration)."""

_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 1)
"""Of the second to the ninth character; the letter's two digits weigh 1 and 9, the last 1."""

_SHAPE = re.compile(r"^[A-Z][12ABCD89][0-9]{8}$")


class NationalIdError(InputError):
    """A national identification number that is not one, with the reason in Traditional
    Chinese (``message_zh``) and in English (``message_en``); the field is ``national_id``."""

    field = "national_id"

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(f"national_id: {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en


def _normalised(text: str) -> str:
    """Full-width characters made plain (an input method's ``Ａ１２３``), spaces and hyphens
    dropped, letters upper case."""
    plain = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\-]", "", plain).upper()


def _check_sum(number: str) -> int:
    letter = LETTER_CODES[number[0]]
    second = number[1]
    # The old resident certificate's second letter counts as its code's last digit (A=10 → 0).
    second_digit = LETTER_CODES[second] % 10 if second.isalpha() else int(second)
    digits = [second_digit, *(int(c) for c in number[2:9])]
    total = (letter // 10) * 1 + (letter % 10) * 9
    total += sum(w * d for w, d in zip(_WEIGHTS, digits, strict=True))
    return total + int(number[9])


def check_national_id(text: str) -> str:
    """A national identification number, normalised, if it is a valid one.

    Three formats are taken: the national identification card (a letter, ``1`` or ``2``, eight
    digits: ``A123456789``), the resident certificate of before 2021-01-02 (a letter, then ``A``
    to ``D``, eight digits: ``AC01234567``) and the one since (a letter, ``8`` or ``9``, eight
    digits: ``A800000014``). The first letter stands for a two-digit number (A=10, ..., I=34,
    O=35, ...); its digits weigh 1 and 9, the next eight characters 8 to 1 (the old format's
    second letter as its number's last digit: A→0, B→1, C→2, D→3) and the last 1: the weighted
    sum of a valid number is a multiple of 10.

    Parameters
    ----------
    text
        The number as typed: lower case, full-width characters, spaces and hyphens are taken.

    Returns
    -------
    str
        The number in upper case, ten characters, nothing else.

    Raises
    ------
    NationalIdError
        (an `InputError` naming ``national_id``) if the number is empty, not of one of the
        three shapes, or its check digit does not match.
    """
    number = _normalised(text)
    if not number:
        raise NationalIdError("請輸入身分證或居留證號碼", "must not be empty")
    if len(number) != 10:
        raise NationalIdError(
            f"必須是 10 個字元（目前 {len(number)} 個）",
            f"must be 10 characters long (it has {len(number)})",
        )
    if number[0] not in LETTER_CODES:
        raise NationalIdError(
            "第 1 個字元必須是英文字母", "the first character must be a letter A to Z"
        )
    if not _SHAPE.match(number):
        raise NationalIdError(
            "格式不正確：身分證為英文字母加 1 或 2 再加 8 位數字；居留證為英文字母加 A–D、8 或 9 "
            "再加 8 位數字",
            "not a national identification number (a letter, 1 or 2, 8 digits) nor a resident "
            "certificate number (a letter, A to D or 8 or 9, 8 digits)",
        )
    if _check_sum(number) % 10:
        raise NationalIdError(
            "檢查碼不符，請再核對一次號碼", "the check digit does not match: check the number again"
        )
    return number


def mask_national_id(number: str) -> str:
    """The number as shown on screens and in answers: its first three and last three characters
    (``A123456789`` → ``A12****789``); never the whole of it."""
    if len(number) < 7:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 6)}{number[-3:]}"
