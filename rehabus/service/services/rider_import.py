"""Riders in bulk: a CSV file read and checked row by row, then written many rows to a statement
(national identification numbers encrypted on the way, as the API stores them); and a file of
realistic made-up riders for tests and demonstrations.

The file's columns (a header row first, UTF-8, ``city`` and the ones after ``mobility``
optional)::

    name,phone,birth_date,mobility,city,certificate_level,certificate_type,certificate_number,
    certificate_expiry,national_id,low_income,medical_wheelchair_certificate
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from rehabus.dispatch.booking import CertificateLevel, NationalIdError, check_national_id
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import Mobility
from rehabus.service.db.models import Rider
from rehabus.service.identity import IdentityVault
from rehabus.service.schemas.common import CityId, Name, Phone
from rehabus.service.schemas.riders import CertificateNumber, NationalId

__all__ = [
    "CERTIFICATE_TYPES",
    "COLUMNS",
    "ImportOutcome",
    "RiderRow",
    "import_riders",
    "read_riders_csv",
    "synthetic_riders",
    "with_check_digit",
    "write_riders_csv",
]

COLUMNS = (
    "name",
    "phone",
    "birth_date",
    "mobility",
    "city",
    "certificate_level",
    "certificate_type",
    "certificate_number",
    "certificate_expiry",
    "national_id",
    "low_income",
    "medical_wheelchair_certificate",
)
REQUIRED = ("name", "birth_date", "mobility")

CERTIFICATE_TYPES: dict[str, str] = {
    "mental": "第1類 神經系統構造及精神、心智功能",
    "sensory": "第2類 眼、耳及相關構造與感官功能及疼痛",
    "voice": "第3類 涉及聲音與言語構造及其功能",
    "circulatory": "第4類 循環、造血、免疫與呼吸系統構造及其功能",
    "digestive": "第5類 消化、新陳代謝與內分泌系統相關構造及其功能",
    "urinary": "第6類 泌尿與生殖系統相關構造及其功能",
    "physical": "第7類 神經、肌肉、骨骼之移動相關構造及其功能",
    "skin": "第8類 皮膚與相關構造及其功能",
}
"""The eight categories of the disability certificate (身心障礙證明, by the ICF since 2012),
as ``certificate_type`` names them."""


class RiderRow(BaseModel):
    """One rider of a file, checked as the API checks a registration (an expired certificate
    is taken: a file records what is, and such riders are refused when they book)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    phone: Phone = ""
    birth_date: dt.date
    mobility: Mobility
    city: CityId = "tainan"
    certificate_level: CertificateLevel | None = None
    certificate_type: str | None = None
    certificate_number: CertificateNumber | None = None
    certificate_expiry: dt.date | None = None
    national_id: NationalId | None = None
    low_income: bool = False
    medical_wheelchair_certificate: bool = False


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did: riders written, and rows left out because their national
    identification number was already on record (in the database or earlier in the file)."""

    imported: int
    duplicates: int


def read_riders_csv(path: Path) -> Iterator[RiderRow]:
    """The riders of a CSV file, checked; an `InputError` names the line and the field of the
    first bad row (and nothing is written by `import_riders` before it is read whole)."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InputError(f"{path.name}: the header lacks {', '.join(missing)}")
        unknown = [c for c in header if c not in COLUMNS]
        if unknown:
            raise InputError(f"{path.name}: unknown columns {', '.join(unknown)}")
        for row in reader:
            values = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
            try:
                yield RiderRow.model_validate(values)
            except ValidationError as exc:
                error = exc.errors()[0]
                field = ".".join(str(p) for p in error["loc"]) or "row"
                ctx = error.get("ctx") or {}
                raise InputError(
                    f"{path.name} line {reader.line_num}: {field}: {ctx.get('en') or error['msg']}"
                ) from None


def _record(row: RiderRow, vault: IdentityVault) -> dict[str, Any]:
    record: dict[str, Any] = row.model_dump(exclude={"national_id"})
    record["id"] = str(uuid.uuid4())
    record["mobility"] = row.mobility.value
    record["certificate_level"] = row.certificate_level.value if row.certificate_level else None
    record["phone_digits"] = "".join(c for c in row.phone if c.isdigit())
    record["cancellation_points"] = 0
    record["created_at"] = dt.datetime.now(dt.UTC)
    record["national_id_encrypted"] = record["national_id_index"] = None
    if row.national_id is not None:
        sealed = vault.seal(row.national_id)
        record["national_id_encrypted"] = sealed.encrypted
        record["national_id_index"] = sealed.index
    return record


def import_riders(
    sessions: sessionmaker[Session],
    vault: IdentityVault,
    rows: Iterable[RiderRow],
    *,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> ImportOutcome:
    """Write ``rows`` as riders, ``batch`` to a statement and a transaction (many rows to one
    ``INSERT``); a row whose national identification number is already on record is left out
    and counted. ``progress`` hears how many rows each batch took."""
    imported = duplicates = 0
    seen: set[str] = set()
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal imported, duplicates
        if not pending:
            return
        indexes = [r["national_id_index"] for r in pending if r["national_id_index"]]
        with sessions() as session:
            taken = (
                set(
                    session.scalars(
                        select(Rider.national_id_index).where(Rider.national_id_index.in_(indexes))
                    )
                )
                if indexes
                else set()
            )
            fresh = [r for r in pending if r["national_id_index"] not in taken]
            if fresh:
                session.execute(insert(Rider), fresh)
            session.commit()
        imported += len(fresh)
        duplicates += len(pending) - len(fresh)
        if progress is not None:
            progress(len(pending))
        pending.clear()

    for row in rows:
        record = _record(row, vault)
        index = record["national_id_index"]
        if index is not None:
            if index in seen:
                duplicates += 1
                continue
            seen.add(index)
        pending.append(record)
        if len(pending) >= batch:
            flush()
    flush()
    return ImportOutcome(imported, duplicates)


# Made-up riders ------------------------------------------------------------------------------

SURNAMES = (
    "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高潘簡朱鍾游彭詹施胡沈余盧梁趙顏柯翁"
)
"""Taiwan's most common surnames, most common first (陳, 林 and 黃 a quarter of everyone)."""
GIVEN = (
    "淑美惠麗玉秀珍芳英雅婷怡君佩琪慧敏月春金蓮鳳嬌素雲家豪志明建宏俊傑文雄國榮明德正義"
    "清水永福金龍天來阿財振興世昌宗憲冠宇承恩宥廷品妍子涵"
)
"""Characters of given names, of the generations that ride most (born 1930-1980) and some
younger."""
PLACES = "DDDDDDRRRREEESSAFHNBQ"
"""First letters of the national identification numbers: mostly Tainan (D city, R county),
some Kaohsiung (E, S) and elsewhere."""


def with_check_digit(first_nine: str) -> str:
    """The valid number that begins with ``first_nine`` (a letter, then ``1``, ``2``, ``8``,
    ``9`` or ``A`` to ``D``, then seven digits): the one last digit `check_national_id`
    takes."""
    for digit in "0123456789":
        try:
            return check_national_id(first_nine + digit)
        except NationalIdError:
            continue
    raise InputError(f"national_id: no check digit completes {first_nine!r}")


def synthetic_riders(
    n: int, *, seed: int = 2026, today: dt.date | None = None, city: str = "tainan"
) -> Iterator[dict[str, str]]:
    """``n`` made-up riders as CSV rows: common Taiwanese names, valid and distinct national
    identification numbers (about 3 % resident certificates), distinct mobile numbers
    ``09xxxxxxxx``, certificates of every level and type with expiries from a year ago to five
    years on (about 8 % already expired, 10 % with no expiry on record). Fixed by ``seed``."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    ids: set[str] = set()
    phones: set[str] = set()
    certificates: set[str] = set()
    levels = list(CertificateLevel)
    types = list(CERTIFICATE_TYPES)
    # A Zipf-like spread: the first surnames far more common than the last.
    surname_weights = [1 / (k + 1) ** 0.8 for k in range(len(SURNAMES))]
    for _ in range(n):
        while True:
            second = rng.choice("12") if rng.random() > 0.03 else rng.choice("89")
            number = with_check_digit(f"{rng.choice(PLACES)}{second}{rng.randrange(10**7):07d}")
            if number not in ids:
                ids.add(number)
                break
        while True:
            phone = f"09{rng.randrange(10**8):08d}"
            if phone not in phones:
                phones.add(phone)
                break
        while True:
            certificate = f"TN{rng.randrange(10**8):08d}"
            if certificate not in certificates:
                certificates.add(certificate)
                break
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((2, 2, 2, 1))))
        draw = rng.random()
        if draw < 0.10:
            expiry = ""
        elif draw < 0.18:
            expiry = (today - dt.timedelta(days=rng.randrange(1, 366))).isoformat()
        else:
            expiry = (today + dt.timedelta(days=rng.randrange(0, 5 * 365))).isoformat()
        birth = dt.date(1930 + rng.randrange(70), 1 + rng.randrange(12), 1 + rng.randrange(28))
        mobility = rng.choices(list(Mobility), weights=(6, 2, 2))[0]
        phone_shown = phone if rng.random() < 0.7 else f"{phone[:4]}-{phone[4:7]}-{phone[7:]}"
        yield {
            "name": rng.choices(SURNAMES, weights=surname_weights)[0] + given,
            "phone": phone_shown,
            "birth_date": birth.isoformat(),
            "mobility": mobility.value,
            "city": city,
            "certificate_level": rng.choices(levels, weights=(25, 35, 25, 15))[0].value,
            "certificate_type": rng.choice(types),
            "certificate_number": certificate,
            "certificate_expiry": expiry,
            "national_id": number,
            "low_income": "true" if rng.random() < 0.15 else "false",
            "medical_wheelchair_certificate": "false",
        }


def write_riders_csv(path: Path, rows: Iterable[dict[str, str]]) -> int:
    """Write riders as a CSV file ``read_riders_csv`` reads; how many."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
