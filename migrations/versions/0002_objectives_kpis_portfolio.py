"""Policy objectives, KPIs with measurements, initiatives with milestones, risks, costs,
dependencies and objective links, plan scope, and each organization's fiscal-year start month.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:18:41.624188

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('initiative',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('citizen_outcome', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.Column('initiative_type', sa.String(length=24), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('sponsor', sa.String(length=120), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('funding_source', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('run', 'change', 'transform')", name=op.f('ck_initiative_category_valid')),
    sa.CheckConstraint("status IN ('proposed', 'submitted', 'under_review', 'approved', 'in_progress', 'completed', 'deferred', 'rejected', 'cancelled')", name=op.f('ck_initiative_status_valid')),
    sa.CheckConstraint('end_date IS NULL OR start_date IS NULL OR end_date >= start_date', name=op.f('ck_initiative_date_order')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_initiative_created_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['user_account.id'], name=op.f('fk_initiative_deleted_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_initiative_organization_id_organization'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative')),
    sa.UniqueConstraint('organization_id', 'code', name=op.f('uq_initiative_organization_id_code'))
    )
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.create_index('ix_initiative_org_category', ['organization_id', 'category'], unique=False)
        batch_op.create_index('ix_initiative_org_status', ['organization_id', 'status'], unique=False)

    op.create_table('policy_objective',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('policy_source_type', sa.String(length=30), nullable=False),
    sa.Column('policy_source', sa.String(length=300), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('active_from', sa.Date(), nullable=True),
    sa.Column('active_to', sa.Date(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('depth BETWEEN 1 AND 4', name=op.f('ck_policy_objective_depth_range')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['user_account.id'], name=op.f('fk_policy_objective_deleted_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_policy_objective_organization_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['parent_id'], ['policy_objective.id'], name=op.f('fk_policy_objective_parent_id_policy_objective'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_objective')),
    sa.UniqueConstraint('organization_id', 'code', name=op.f('uq_policy_objective_organization_id_code'))
    )
    with op.batch_alter_table('policy_objective', schema=None) as batch_op:
        batch_op.create_index('ix_policy_objective_org_parent', ['organization_id', 'parent_id'], unique=False)

    op.create_table('initiative_cost',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('capital', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('operating', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.CheckConstraint('capital >= 0 AND operating >= 0', name=op.f('ck_initiative_cost_not_negative')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_initiative_cost_initiative_id_initiative'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_cost')),
    sa.UniqueConstraint('initiative_id', 'fiscal_year', name=op.f('uq_initiative_cost_initiative_id_fiscal_year'))
    )
    op.create_table('initiative_dependency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('depends_on_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('initiative_id <> depends_on_id', name=op.f('ck_initiative_dependency_not_self')),
    sa.ForeignKeyConstraint(['depends_on_id'], ['initiative.id'], name=op.f('fk_initiative_dependency_depends_on_id_initiative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_initiative_dependency_initiative_id_initiative'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_dependency')),
    sa.UniqueConstraint('initiative_id', 'depends_on_id', name=op.f('uq_initiative_dependency_initiative_id_depends_on_id'))
    )
    with op.batch_alter_table('initiative_dependency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_dependency_depends_on_id'), ['depends_on_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_initiative_dependency_initiative_id'), ['initiative_id'], unique=False)

    op.create_table('kpi',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=True),
    sa.Column('initiative_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('baseline_value', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('baseline_date', sa.Date(), nullable=False),
    sa.Column('target_value', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('frequency', sa.String(length=12), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('higher', 'lower')", name=op.f('ck_kpi_direction_valid')),
    sa.CheckConstraint("frequency IN ('monthly', 'quarterly', 'annually')", name=op.f('ck_kpi_frequency_valid')),
    sa.CheckConstraint('(objective_id IS NULL) <> (initiative_id IS NULL)', name=op.f('ck_kpi_one_subject')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['user_account.id'], name=op.f('fk_kpi_deleted_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_kpi_initiative_id_initiative'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['objective_id'], ['policy_objective.id'], name=op.f('fk_kpi_objective_id_policy_objective'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_kpi_organization_id_organization'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi'))
    )
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_initiative_id'), ['initiative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_objective_id'), ['objective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_organization_id'), ['organization_id'], unique=False)

    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('done_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_milestone_initiative_id_initiative'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone'))
    )
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_initiative_id'), ['initiative_id'], unique=False)

    op.create_table('objective_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('rationale', sa.String(length=500), nullable=False),
    sa.CheckConstraint("role IN ('primary', 'supporting')", name=op.f('ck_objective_link_role_valid')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_objective_link_initiative_id_initiative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['objective_id'], ['policy_objective.id'], name=op.f('fk_objective_link_objective_id_policy_objective'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objective_link')),
    sa.UniqueConstraint('initiative_id', 'objective_id', name=op.f('uq_objective_link_initiative_id_objective_id'))
    )
    with op.batch_alter_table('objective_link', schema=None) as batch_op:
        batch_op.create_index('ix_objective_link_objective', ['objective_id'], unique=False)

    op.create_table('plan_initiative',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_plan_initiative_initiative_id_initiative'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_initiative_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_initiative')),
    sa.UniqueConstraint('plan_id', 'initiative_id', name=op.f('uq_plan_initiative_plan_id_initiative_id'))
    )
    with op.batch_alter_table('plan_initiative', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_initiative_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_objective',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['objective_id'], ['policy_objective.id'], name=op.f('fk_plan_objective_objective_id_policy_objective'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_objective_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_objective')),
    sa.UniqueConstraint('plan_id', 'objective_id', name=op.f('uq_plan_objective_plan_id_objective_id'))
    )
    with op.batch_alter_table('plan_objective', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_objective_plan_id'), ['plan_id'], unique=False)

    op.create_table('risk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('likelihood', sa.Integer(), nullable=False),
    sa.Column('impact', sa.Integer(), nullable=False),
    sa.Column('mitigation', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.CheckConstraint("status IN ('open', 'mitigating', 'closed')", name=op.f('ck_risk_status_valid')),
    sa.CheckConstraint('impact BETWEEN 1 AND 5', name=op.f('ck_risk_impact_range')),
    sa.CheckConstraint('likelihood BETWEEN 1 AND 5', name=op.f('ck_risk_likelihood_range')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_risk_initiative_id_initiative'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk'))
    )
    with op.batch_alter_table('risk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_initiative_id'), ['initiative_id'], unique=False)

    op.create_table('kpi_measurement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_kpi_measurement_entered_by_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], name=op.f('fk_kpi_measurement_kpi_id_kpi'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_measurement')),
    sa.UniqueConstraint('kpi_id', 'measured_on', name=op.f('uq_kpi_measurement_kpi_id_measured_on'))
    )
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fiscal_year_start_month', sa.Integer(), server_default='7', nullable=False))



def downgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('fiscal_year_start_month')

    op.drop_table('kpi_measurement')
    with op.batch_alter_table('risk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_initiative_id'))

    op.drop_table('risk')
    with op.batch_alter_table('plan_objective', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_objective_plan_id'))

    op.drop_table('plan_objective')
    with op.batch_alter_table('plan_initiative', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_initiative_plan_id'))

    op.drop_table('plan_initiative')
    with op.batch_alter_table('objective_link', schema=None) as batch_op:
        batch_op.drop_index('ix_objective_link_objective')

    op.drop_table('objective_link')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_initiative_id'))

    op.drop_table('milestone')
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_organization_id'))
        batch_op.drop_index(batch_op.f('ix_kpi_objective_id'))
        batch_op.drop_index(batch_op.f('ix_kpi_initiative_id'))

    op.drop_table('kpi')
    with op.batch_alter_table('initiative_dependency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_dependency_initiative_id'))
        batch_op.drop_index(batch_op.f('ix_initiative_dependency_depends_on_id'))

    op.drop_table('initiative_dependency')
    op.drop_table('initiative_cost')
    with op.batch_alter_table('policy_objective', schema=None) as batch_op:
        batch_op.drop_index('ix_policy_objective_org_parent')

    op.drop_table('policy_objective')
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.drop_index('ix_initiative_org_status')
        batch_op.drop_index('ix_initiative_org_category')

    op.drop_table('initiative')
