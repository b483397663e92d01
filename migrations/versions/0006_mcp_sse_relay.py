"""mcp: shared store for the legacy SSE transport (sessions and relayed messages)

Revision ID: 0006_mcp_sse_relay
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0006_mcp_sse_relay"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mcp_sse_sessions",
        sa.Column("session_id", sa.String(length=32), primary_key=True),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "mcp_sse_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("principal", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_mcp_sse_messages_session_id", "mcp_sse_messages", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_mcp_sse_messages_session_id", table_name="mcp_sse_messages")
    op.drop_table("mcp_sse_messages")
    op.drop_table("mcp_sse_sessions")
