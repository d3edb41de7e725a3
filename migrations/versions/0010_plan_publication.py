"""Plan publication: an adopted version of a plan on the public site

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
    op.create_table('plan_publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_plan_publication_organization_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_publication_plan_id_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_plan_publication_published_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['plan_version.id'], name=op.f('fk_plan_publication_version_id_plan_version'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_publication')),
    sa.UniqueConstraint('plan_id', name=op.f('uq_plan_publication_plan_id')),
    sa.UniqueConstraint('slug', name=op.f('uq_plan_publication_slug'))
    )
    with op.batch_alter_table('plan_publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_publication_organization_id'), ['organization_id'], unique=False)


def downgrade():
    with op.batch_alter_table('plan_publication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_publication_organization_id'))
    op.drop_table('plan_publication')
