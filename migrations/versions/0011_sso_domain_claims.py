"""Single sign-on trust: domain claims by the instance operator, encrypted client secrets

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 23:50:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
