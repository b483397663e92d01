"""mail: piece tracking, provider tracking events, operator credits

Revision ID: 0010_mail_tracking
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0010_mail_tracking"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "piece_tracking",
        sa.Column("piece_id", sa.String(length=40), sa.ForeignKey("order_pieces.id"), primary_key=True),
        sa.Column("order_id", sa.String(length=40), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_ref", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("expected_delivery_date", sa.String(length=10), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("provider", "provider_ref"),
    )
    op.create_index("ix_piece_tracking_order_id", "piece_tracking", ["order_id"])
    op.create_index("ix_piece_tracking_status_checked", "piece_tracking", ["status", "checked_at"])
    op.create_table(
        "tracking_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("piece_id", sa.String(length=40), sa.ForeignKey("order_pieces.id"), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_event_id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.Column("location", sa.String(length=255), nullable=True),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("provider", "provider_event_id"),
    )
    op.create_index("ix_tracking_events_piece", "tracking_events", ["piece_id", "occurred_at"])
    op.create_table(
        "operator_credits",
        sa.Column("id", sa.String(length=40), primary_key=True),
        sa.Column("account_id", sa.String(length=40), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("ledger_entry_id", sa.String(length=40), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_operator_credits_account_id", "operator_credits", ["account_id"])


def downgrade() -> None:
    op.drop_table("operator_credits")
    op.drop_index("ix_tracking_events_piece", table_name="tracking_events")
    op.drop_table("tracking_events")
    op.drop_index("ix_piece_tracking_status_checked", table_name="piece_tracking")
    op.drop_index("ix_piece_tracking_order_id", table_name="piece_tracking")
    op.drop_table("piece_tracking")
