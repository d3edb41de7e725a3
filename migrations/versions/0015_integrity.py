"""Integrity: section versions, frozen snapshots and other integrity columns

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 23:50:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # --- frozen plan-version snapshots (plans): begin ---------------------------------------------------
    # No schema change: plan_version.data (JSON) gains the blocks, KPIs and tables a frozen version shows.
    # Versions frozen before this revision get them captured now, from the data as it stands at the upgrade
    # (see app/plans/snapshots/legacy.py); a failure there leaves them unchanged and is logged.
    # Keep this block LAST in upgrade(): it reads through the models, which expect this revision's columns.
    from app.plans.snapshots.legacy import capture_missing

    capture_missing(op.get_bind())
    # --- frozen plan-version snapshots (plans): end -----------------------------------------------------


def downgrade():
    # --- frozen plan-version snapshots (plans): begin ---------------------------------------------------
    # Nothing to undo: the keys added to plan_version.data are ignored by the code of revision 0014.
    # --- frozen plan-version snapshots (plans): end -----------------------------------------------------
    pass
