"""Exports: a cheap fingerprint for instant reuse, one-page initiative summaries; organization logos for covers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 10:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('export', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('one_pagers', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_export_fingerprint', ['organization_id', 'fingerprint'], unique=False)
        batch_op.create_index('ix_export_meeting_created', ['meeting_id', 'created_at'], unique=False)
    op.create_table('organization_logo',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("content_type IN ('image/png', 'image/svg+xml')", name=op.f('ck_organization_logo_content_type_valid')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_logo_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_organization_logo_uploaded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_organization_logo'))
    )


def downgrade():
    op.drop_table('organization_logo')
    with op.batch_alter_table('export', schema=None) as batch_op:
        batch_op.drop_index('ix_export_meeting_created')
        batch_op.drop_index('ix_export_fingerprint')
        batch_op.drop_column('one_pagers')
        batch_op.drop_column('fingerprint')
