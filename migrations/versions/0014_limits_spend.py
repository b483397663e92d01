"""limits: daily live spend limits and their per-day counters

Revision ID: 0014_limits_spend
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0014_limits_spend"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spend_limits",
        sa.Column("kind", sa.String(length=16), primary_key=True),
        sa.Column("subject_id", sa.String(length=40), primary_key=True),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("daily_cents", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_spend_limits_account_id", "spend_limits", ["account_id"])
    op.create_table(
        "live_spend_days",
        sa.Column("kind", sa.String(length=16), primary_key=True),
        sa.Column("subject_id", sa.String(length=40), primary_key=True),
        sa.Column("currency", sa.String(length=3), primary_key=True),
        sa.Column("day", sa.Integer(), primary_key=True),
        sa.Column("spent_cents", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("live_spend_days")
    op.drop_index("ix_spend_limits_account_id", table_name="spend_limits")
    op.drop_table("spend_limits")
