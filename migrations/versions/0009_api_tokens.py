"""API tokens (placeholder: filled in by the API work)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 11:40:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
