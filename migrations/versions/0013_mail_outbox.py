"""Mail outbox: notifications queued with retries and a record of delivery failures

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 23:50:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
