"""LINE: linked accounts, account-linking tokens and nonces (hashed), the webhook events handled
and each LINE user's conversation

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "line_accounts",
        sa.Column("line_user_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("user_uid", sa.String(length=36), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("line_user_id"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_table(
        "line_link_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("line_user_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(
        op.f("ix_line_link_tokens_expires_at"), "line_link_tokens", ["expires_at"], unique=False
    )
    op.create_table(
        "line_link_nonces",
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("user_uid", sa.String(length=36), nullable=False),
        sa.Column("line_user_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("nonce_hash"),
    )
    op.create_index(
        op.f("ix_line_link_nonces_expires_at"), "line_link_nonces", ["expires_at"], unique=False
    )
    op.create_table(
        "line_webhook_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index(
        op.f("ix_line_webhook_events_received_at"),
        "line_webhook_events",
        ["received_at"],
        unique=False,
    )
    op.create_table(
        "line_conversations",
        sa.Column("line_user_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("line_user_id"),
    )


def downgrade() -> None:
    op.drop_table("line_conversations")
    op.drop_index(op.f("ix_line_webhook_events_received_at"), table_name="line_webhook_events")
    op.drop_table("line_webhook_events")
    op.drop_index(op.f("ix_line_link_nonces_expires_at"), table_name="line_link_nonces")
    op.drop_table("line_link_nonces")
    op.drop_index(op.f("ix_line_link_tokens_expires_at"), table_name="line_link_tokens")
    op.drop_table("line_link_tokens")
    op.drop_table("line_accounts")
