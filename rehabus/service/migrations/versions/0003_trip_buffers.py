"""trip buffers: the slack for traffic each accepted booking is planned with

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for the bookings accepted before this revision: they were planned with the city's
    # full buffers, which is what a NULL stands for.
    with op.batch_alter_table("bookings") as batch_op:
        batch_op.add_column(sa.Column("appointment_buffer_s", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pickup_buffer_s", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bookings") as batch_op:
        batch_op.drop_column("pickup_buffer_s")
        batch_op.drop_column("appointment_buffer_s")
