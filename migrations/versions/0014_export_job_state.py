"""Export jobs: queue state for lost-job detection

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    # Where each export's render job was queued (backend, job token, owning process), read by the job-state
    # reader to tell a lost job from a slow one.
    with op.batch_alter_table('export', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_ref', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('export', schema=None) as batch_op:
        batch_op.drop_column('job_ref')
