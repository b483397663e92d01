"""payments: where a failed order's money went back

Revision ID: 0004_payments
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0004_payments"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("refund_reference", sa.String(length=80), nullable=True))
    op.create_index("ix_fulfillment_jobs_status_run_after", "fulfillment_jobs", ["status", "run_after"])
    op.create_index("ix_orders_status_expires", "orders", ["status", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_orders_status_expires", table_name="orders")
    op.drop_index("ix_fulfillment_jobs_status_run_after", table_name="fulfillment_jobs")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("refund_reference")
