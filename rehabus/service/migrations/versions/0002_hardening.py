"""hardening: user uids bound into tokens, sign-in attempts, job and idempotency owners,
rescue pickups of riders aboard a broken-down bus

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 23:30:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("uid", sa.String(length=36), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("uid", sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(
            users.update().where(users.c.id == user_id).values(uid=str(uuid.uuid4()))
        )
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("uid", existing_type=sa.String(length=36), nullable=False)
        batch_op.create_unique_constraint("uq_users_uid", ["uid"])
    # Tokens issued before this revision name no owner uid: they stop working (sign in again).
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.add_column(
            sa.Column("user_uid", sa.String(length=36), nullable=False, server_default="")
        )
    op.create_table(
        "sign_in_attempts",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )
    with op.batch_alter_table("idempotency_keys") as batch_op:
        batch_op.add_column(
            sa.Column("owner", sa.String(length=36), nullable=False, server_default="")
        )
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.add_column(
            sa.Column("owner", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("bookings") as batch_op:
        batch_op.add_column(sa.Column("rescue_lat", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("rescue_lon", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("rescue_at_s", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rescue_from", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bookings") as batch_op:
        for name in ("rescue_from", "rescue_at_s", "rescue_lon", "rescue_lat"):
            batch_op.drop_column(name)
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("owner")
    with op.batch_alter_table("idempotency_keys") as batch_op:
        batch_op.drop_column("owner")
    op.drop_table("sign_in_attempts")
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("user_uid")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint("uq_users_uid", type_="unique")
        batch_op.drop_column("uid")
