"""driver reports: a driver's bus, stop events from the bus, and its positions

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("vehicle_id", sa.String(length=32), nullable=True))
        batch_op.create_foreign_key("fk_users_vehicle_id", "vehicles", ["vehicle_id"], ["id"])
    with op.batch_alter_table("vehicle_events") as batch_op:
        batch_op.add_column(sa.Column("booking_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("stop", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("lat", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("lon", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("client_id", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_vehicle_events_client", ["vehicle_id", "client_id"])
        batch_op.create_index(
            "ix_vehicle_events_day", ["city", "service_date", "vehicle_id"], unique=False
        )
    op.create_table(
        "vehicle_positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("city", sa.String(length=32), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("vehicle_id", sa.String(length=32), nullable=False),
        sa.Column("at_s", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_vehicle_positions_day",
        "vehicle_positions",
        ["city", "service_date", "vehicle_id", "at_s"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_vehicle_positions_day", table_name="vehicle_positions")
    op.drop_table("vehicle_positions")
    with op.batch_alter_table("vehicle_events") as batch_op:
        batch_op.drop_index("ix_vehicle_events_day")
        batch_op.drop_constraint("uq_vehicle_events_client", type_="unique")
        batch_op.drop_column("client_id")
        batch_op.drop_column("lon")
        batch_op.drop_column("lat")
        batch_op.drop_column("stop")
        batch_op.drop_column("booking_id")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint("fk_users_vehicle_id", type_="foreignkey")
        batch_op.drop_column("vehicle_id")
