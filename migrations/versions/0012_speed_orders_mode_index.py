"""Index orders by (account_id, mode, created_at, id).

The orders list filtered by mode and the live-order count of an unapproved account both filter
on account and mode; with only (account_id, created_at, id) they scanned every order of the
account in the other mode.

Revision ID: 0012_speed_orders_mode_index
Revises: 0001
"""
from __future__ import annotations

from alembic import op

revision = "0012_speed_orders_mode_index"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_account_mode_created", "orders", ["account_id", "mode", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_orders_account_mode_created", table_name="orders")
