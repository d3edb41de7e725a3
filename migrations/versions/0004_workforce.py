"""Workforce: placeholder, filled in by the workforce work.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 08:30:00

"""


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
