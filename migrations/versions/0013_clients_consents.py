"""clients: remembered OAuth consent per person and client

Revision ID: 0013_clients_consents
Revises: 0002_oauth
"""
from alembic import op
import sqlalchemy as sa


revision = "0013_clients_consents"
down_revision = "0002_oauth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oauth_consents",
        sa.Column("account_id", sa.String(length=40), sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("client_id", sa.Text(), primary_key=True),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("oauth_consents")
