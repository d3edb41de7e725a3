"""Architecture: standards, the shared-services catalogue (standards followed, organizations using it),
principles, and initiatives' ties to services and answers to principles.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 08:30:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _timestamps():
    return [
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade():
    op.create_table('arch_standard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('reference', sa.Text(), nullable=False),
    *_timestamps(),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_arch_standard_organization_id_organization'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arch_standard')),
    sa.UniqueConstraint('organization_id', 'name', name=op.f('uq_arch_standard_organization_id_name'))
    )
    op.create_table('shared_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('lifecycle', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    *_timestamps(),
    sa.CheckConstraint("kind IN ('infrastructure', 'application', 'data', 'security', 'integration')", name=op.f('ck_shared_service_kind_valid')),
    sa.CheckConstraint("lifecycle IN ('plan', 'build', 'operate', 'retire')", name=op.f('ck_shared_service_lifecycle_valid')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_shared_service_organization_id_organization'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shared_service')),
    sa.UniqueConstraint('organization_id', 'name', name=op.f('uq_shared_service_organization_id_name'))
    )
    op.create_table('shared_service_standard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['shared_service.id'], name=op.f('fk_shared_service_standard_service_id_shared_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['standard_id'], ['arch_standard.id'], name=op.f('fk_shared_service_standard_standard_id_arch_standard'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shared_service_standard')),
    sa.UniqueConstraint('service_id', 'standard_id', name=op.f('uq_shared_service_standard_service_id_standard_id'))
    )
    with op.batch_alter_table('shared_service_standard', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shared_service_standard_standard_id'), ['standard_id'], unique=False)

    op.create_table('shared_service_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_shared_service_user_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['shared_service.id'], name=op.f('fk_shared_service_user_service_id_shared_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shared_service_user')),
    sa.UniqueConstraint('service_id', 'organization_id', name=op.f('uq_shared_service_user_service_id_organization_id'))
    )
    with op.batch_alter_table('shared_service_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shared_service_user_organization_id'), ['organization_id'], unique=False)

    op.create_table('arch_principle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('implications', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    *_timestamps(),
    sa.CheckConstraint('position >= 1', name=op.f('ck_arch_principle_position_positive')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_arch_principle_organization_id_organization'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arch_principle')),
    sa.UniqueConstraint('organization_id', 'title', name=op.f('uq_arch_principle_organization_id_title'))
    )
    op.create_table('initiative_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    *_timestamps(),
    sa.CheckConstraint("relation IN ('reuses', 'delivers')", name=op.f('ck_initiative_service_relation_valid')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_initiative_service_initiative_id_initiative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['shared_service.id'], name=op.f('fk_initiative_service_service_id_shared_service'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_service')),
    sa.UniqueConstraint('initiative_id', 'service_id', name=op.f('uq_initiative_service_initiative_id_service_id'))
    )
    with op.batch_alter_table('initiative_service', schema=None) as batch_op:
        batch_op.create_index('ix_initiative_service_service', ['service_id'], unique=False)

    op.create_table('principle_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('principle_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=10), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    *_timestamps(),
    sa.CheckConstraint("answer IN ('complies', 'exception')", name=op.f('ck_principle_answer_answer_valid')),
    sa.CheckConstraint("answer <> 'exception' OR length(trim(justification)) > 0", name=op.f('ck_principle_answer_exception_justified')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_principle_answer_answered_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_principle_answer_initiative_id_initiative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['principle_id'], ['arch_principle.id'], name=op.f('fk_principle_answer_principle_id_arch_principle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_principle_answer')),
    sa.UniqueConstraint('initiative_id', 'principle_id', name=op.f('uq_principle_answer_initiative_id_principle_id'))
    )
    with op.batch_alter_table('principle_answer', schema=None) as batch_op:
        batch_op.create_index('ix_principle_answer_principle', ['principle_id'], unique=False)


def downgrade():
    op.drop_table('principle_answer')
    op.drop_table('initiative_service')
    op.drop_table('arch_principle')
    op.drop_table('shared_service_user')
    op.drop_table('shared_service_standard')
    op.drop_table('shared_service')
    op.drop_table('arch_standard')
