"""notifications found by their trip: the evening reminders ask, every round of the outbox,
which of tomorrow's trips have been recalled (without an index, every trip scanned the table)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 15:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_notifications_booking", "notifications", ["booking_id", "kind"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_booking", table_name="notifications")
