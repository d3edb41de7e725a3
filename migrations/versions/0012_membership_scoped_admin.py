"""Admin actions on a membership: per-office deactivation and second-factor state

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 23:50:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
