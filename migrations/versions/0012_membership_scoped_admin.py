"""Admin actions on a membership: per-office deactivation and second-factor state

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 23:50:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # Every existing membership stays active: until now deactivation was account-wide (user_account.active),
    # and that flag is kept as it is.
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    # Before this revision only the account could be switched off, and nobody may gain access by downgrading.
    # A person deactivated in every one of their organizations: their account is deactivated and their
    # memberships are kept. A person deactivated in some organizations only would regain access there, so just
    # those memberships are removed (their work, history and audit trail stay; an admin adds them again).
    membership = sa.table(
        'membership',
        sa.column('user_id', sa.Integer()),
        sa.column('active', sa.Boolean()),
    )
    user_account = sa.table('user_account', sa.column('id', sa.Integer()), sa.column('active', sa.Boolean()))
    still_active = sa.select(membership.c.user_id).where(membership.c.active.is_(True))
    inactive = sa.select(membership.c.user_id).where(membership.c.active.is_(False))
    op.execute(
        user_account.update()
        .where(user_account.c.id.in_(inactive), user_account.c.id.not_in(still_active))
        .values(active=False)
    )
    op.execute(membership.delete().where(membership.c.active.is_(False), membership.c.user_id.in_(still_active)))
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_column('active')
