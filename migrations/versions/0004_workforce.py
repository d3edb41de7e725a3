"""Workforce: job roles with capacity per fiscal year, the skills catalogue, skill gaps, the actions
that close them, and the FTE each initiative needs of each role.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 08:30:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('job_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('family', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_job_role_organization_id_organization'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_role')),
    sa.UniqueConstraint('organization_id', 'name', name=op.f('uq_job_role_organization_id_name'))
    )
    with op.batch_alter_table('job_role', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_role_organization_id'), ['organization_id'], unique=False)

    op.create_table('skill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('category', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_skill_organization_id_organization'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill')),
    sa.UniqueConstraint('organization_id', 'name', name=op.f('uq_skill_organization_id_name'))
    )
    with op.batch_alter_table('skill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skill_organization_id'), ['organization_id'], unique=False)

    op.create_table('initiative_fte_need',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('fte', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.CheckConstraint('fiscal_year BETWEEN 2000 AND 2100', name=op.f('ck_initiative_fte_need_fiscal_year_range')),
    sa.CheckConstraint('fte > 0', name=op.f('ck_initiative_fte_need_fte_positive')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_initiative_fte_need_initiative_id_initiative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['job_role.id'], name=op.f('fk_initiative_fte_need_role_id_job_role'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_fte_need')),
    sa.UniqueConstraint('initiative_id', 'role_id', 'fiscal_year', name=op.f('uq_initiative_fte_need_initiative_id_role_id_fiscal_year'))
    )
    with op.batch_alter_table('initiative_fte_need', schema=None) as batch_op:
        batch_op.create_index('ix_initiative_fte_need_role_year', ['role_id', 'fiscal_year'], unique=False)

    op.create_table('role_capacity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('current_fte', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('vacancies', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('attrition', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('required_fte', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.CheckConstraint('current_fte >= 0 AND vacancies >= 0 AND attrition >= 0 AND required_fte >= 0', name=op.f('ck_role_capacity_not_negative')),
    sa.CheckConstraint('fiscal_year BETWEEN 2000 AND 2100', name=op.f('ck_role_capacity_fiscal_year_range')),
    sa.ForeignKeyConstraint(['role_id'], ['job_role.id'], name=op.f('fk_role_capacity_role_id_job_role'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_capacity')),
    sa.UniqueConstraint('role_id', 'fiscal_year', name=op.f('uq_role_capacity_role_id_fiscal_year'))
    )
    op.create_table('skill_gap',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.Column('current_level', sa.Integer(), nullable=False),
    sa.Column('target_level', sa.Integer(), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.CheckConstraint("priority IN ('high', 'medium', 'low')", name=op.f('ck_skill_gap_priority_valid')),
    sa.CheckConstraint('current_level BETWEEN 0 AND 4 AND target_level BETWEEN 0 AND 4', name=op.f('ck_skill_gap_level_range')),
    sa.CheckConstraint('target_level > current_level', name=op.f('ck_skill_gap_target_above_current')),
    sa.ForeignKeyConstraint(['role_id'], ['job_role.id'], name=op.f('fk_skill_gap_role_id_job_role'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['skill_id'], ['skill.id'], name=op.f('fk_skill_gap_skill_id_skill'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_gap')),
    sa.UniqueConstraint('role_id', 'skill_id', name=op.f('uq_skill_gap_role_id_skill_id'))
    )
    with op.batch_alter_table('skill_gap', schema=None) as batch_op:
        batch_op.create_index('ix_skill_gap_skill', ['skill_id'], unique=False)

    op.create_table('workforce_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('action_type', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=True),
    sa.Column('cost', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action_type IN ('training', 'hiring', 'contracting', 'reskilling', 'partnering')", name=op.f('ck_workforce_action_type_valid')),
    sa.CheckConstraint("status IN ('planned', 'in_progress', 'done', 'cancelled')", name=op.f('ck_workforce_action_status_valid')),
    sa.CheckConstraint('cost >= 0', name=op.f('ck_workforce_action_cost_not_negative')),
    sa.CheckConstraint('end_date IS NULL OR start_date IS NULL OR end_date >= start_date', name=op.f('ck_workforce_action_date_order')),
    sa.CheckConstraint('fiscal_year IS NULL OR fiscal_year BETWEEN 2000 AND 2100', name=op.f('ck_workforce_action_fiscal_year_range')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_workforce_action_organization_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['role_id'], ['job_role.id'], name=op.f('fk_workforce_action_role_id_job_role'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workforce_action'))
    )
    with op.batch_alter_table('workforce_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workforce_action_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workforce_action_role_id'), ['role_id'], unique=False)

    op.create_table('workforce_action_gap',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('gap_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['workforce_action.id'], name=op.f('fk_workforce_action_gap_action_id_workforce_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['gap_id'], ['skill_gap.id'], name=op.f('fk_workforce_action_gap_gap_id_skill_gap'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'gap_id', name=op.f('pk_workforce_action_gap'))
    )
    with op.batch_alter_table('workforce_action_gap', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workforce_action_gap_gap_id'), ['gap_id'], unique=False)


def downgrade():

    with op.batch_alter_table('workforce_action_gap', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workforce_action_gap_gap_id'))

    op.drop_table('workforce_action_gap')
    with op.batch_alter_table('workforce_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workforce_action_role_id'))
        batch_op.drop_index(batch_op.f('ix_workforce_action_organization_id'))

    op.drop_table('workforce_action')
    with op.batch_alter_table('skill_gap', schema=None) as batch_op:
        batch_op.drop_index('ix_skill_gap_skill')

    op.drop_table('skill_gap')
    op.drop_table('role_capacity')
    with op.batch_alter_table('initiative_fte_need', schema=None) as batch_op:
        batch_op.drop_index('ix_initiative_fte_need_role_year')

    op.drop_table('initiative_fte_need')
    with op.batch_alter_table('skill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skill_organization_id'))

    op.drop_table('skill')
    with op.batch_alter_table('job_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_role_organization_id'))

    op.drop_table('job_role')
