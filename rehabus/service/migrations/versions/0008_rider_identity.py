"""riders' identity for the call-takers' desk: the national identification number (encrypted,
with a keyed digest to find it by), the disability certificate's number and expiry, and what
searching by name and phone needs (``phone_digits``, indexes)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 09:00:00
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("riders") as batch_op:
        batch_op.add_column(
            sa.Column("phone_digits", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("national_id_encrypted", sa.String(length=255), nullable=True)
        )
        batch_op.add_column(sa.Column("national_id_index", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("certificate_number", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("certificate_expiry", sa.Date(), nullable=True))
    riders = sa.table("riders", sa.column("id", sa.String), sa.column("phone", sa.String))
    digits = sa.table("riders", sa.column("id", sa.String), sa.column("phone_digits", sa.String))
    connection = op.get_bind()
    rows = [
        {"rider": rider_id, "digits": re.sub(r"\D", "", phone or "")}
        for rider_id, phone in connection.execute(sa.select(riders.c.id, riders.c.phone))
    ]
    if rows:
        connection.execute(
            digits.update()
            .where(digits.c.id == sa.bindparam("rider"))
            .values(phone_digits=sa.bindparam("digits")),
            rows,
        )
    op.create_index(op.f("ix_riders_name"), "riders", ["name"], unique=False)
    op.create_index(op.f("ix_riders_phone_digits"), "riders", ["phone_digits"], unique=False)
    op.create_index(
        op.f("ix_riders_national_id_index"), "riders", ["national_id_index"], unique=True
    )
    op.create_index(
        op.f("ix_riders_certificate_number"), "riders", ["certificate_number"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_riders_certificate_number"), table_name="riders")
    op.drop_index(op.f("ix_riders_national_id_index"), table_name="riders")
    op.drop_index(op.f("ix_riders_phone_digits"), table_name="riders")
    op.drop_index(op.f("ix_riders_name"), table_name="riders")
    with op.batch_alter_table("riders") as batch_op:
        batch_op.drop_column("certificate_expiry")
        batch_op.drop_column("certificate_number")
        batch_op.drop_column("national_id_index")
        batch_op.drop_column("national_id_encrypted")
        batch_op.drop_column("phone_digits")
