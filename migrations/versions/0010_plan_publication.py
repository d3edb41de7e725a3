"""Plan publication (placeholder: filled in by the publication work)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 11:40:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
