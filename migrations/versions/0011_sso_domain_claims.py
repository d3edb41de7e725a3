"""Single sign-on trust: domain claims by the instance operator, encrypted client secrets

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 23:50:00

Upgrade:
* ``sso_domain_claim``: each e-mail domain belongs to at most one organization; only the operator claims it.
  Nothing is claimed automatically: the domains an office admin had typed (``allowed_domains``) are printed
  with the command that would claim them, and dropped. Single sign-on stays switched on but offers no
  domain until the operator claims one, so it fails closed.
* ``organization_sign_in.client_secret_encrypted`` replaces ``client_secret_env`` (the name of any server
  environment variable, which an office admin could point at SECRET_KEY). Stored secrets start empty: the
  office admin types the secret again, or the operator sets PLANWRIGHT_SSO_SECRET_<SLUG>.
* ``organization_sign_in.mfa_trusted`` (operator only), off.
* ``sso_identity`` is unique per organization, issuer and subject (two offices may share a provider).

Downgrade restores the old columns: ``allowed_domains`` from the claims, ``client_secret_env`` empty (the old
code then cannot sign anyone in through SSO until an admin names a variable again; secrets are not exported).
"""
import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _print_unclaimed_domains():
    rows = op.get_bind().execute(sa.text(
        "SELECT organization.slug, organization_sign_in.allowed_domains FROM organization_sign_in "
        "JOIN organization ON organization.id = organization_sign_in.organization_id "
        "WHERE organization_sign_in.allowed_domains <> '' ORDER BY organization.slug"
    )).all()
    listed = {}
    for slug, domains in rows:
        for domain in domains.split():
            listed.setdefault(domain, []).append(slug)
    if not listed:
        return
    print("Single sign-on domains are now claimed by the instance operator; none was claimed automatically.")  # noqa: T201
    for domain, slugs in sorted(listed.items()):
        if len(slugs) == 1:
            print(f"  {slugs[0]} listed {domain}: to keep it, run  flask orgs claim-domain {slugs[0]} {domain}")  # noqa: T201
        else:
            print(f"  {domain} was listed by several organizations ({', '.join(slugs)}): claim it for one only")  # noqa: T201


def upgrade():
    op.create_table('sso_domain_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=253), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_sso_domain_claim_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_domain_claim')),
    sa.UniqueConstraint('domain', name=op.f('uq_sso_domain_claim_domain'))
    )
    with op.batch_alter_table('sso_domain_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_domain_claim_organization_id'), ['organization_id'], unique=False)

    _print_unclaimed_domains()
    with op.batch_alter_table('organization_sign_in', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_secret_encrypted', sa.String(length=1000), server_default='', nullable=False))
        batch_op.add_column(sa.Column('mfa_trusted', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_column('client_secret_env')
        batch_op.drop_column('allowed_domains')

    with op.batch_alter_table('sso_identity', schema=None) as batch_op:
        batch_op.drop_constraint('uq_sso_identity_issuer_subject', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_sso_identity_organization_id_issuer_subject'), ['organization_id', 'issuer', 'subject'])


def downgrade():
    # The old schema allows one identity per issuer and subject: keep the earliest when two offices share one.
    op.execute(
        "DELETE FROM sso_identity WHERE id NOT IN "
        "(SELECT MIN(id) FROM sso_identity GROUP BY issuer, subject)"
    )
    with op.batch_alter_table('sso_identity', schema=None) as batch_op:
        batch_op.drop_constraint('uq_sso_identity_organization_id_issuer_subject', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_sso_identity_issuer_subject'), ['issuer', 'subject'])

    with op.batch_alter_table('organization_sign_in', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allowed_domains', sa.String(length=1000), server_default='', nullable=False))
        batch_op.add_column(sa.Column('client_secret_env', sa.String(length=100), server_default='', nullable=False))
        batch_op.drop_column('mfa_trusted')
        batch_op.drop_column('client_secret_encrypted')
    bind = op.get_bind()
    claims = bind.execute(sa.text("SELECT organization_id, domain FROM sso_domain_claim ORDER BY domain")).all()
    per_org = {}
    for organization_id, domain in claims:
        per_org.setdefault(organization_id, []).append(domain)
    for organization_id, domains in per_org.items():
        bind.execute(
            sa.text("UPDATE organization_sign_in SET allowed_domains = :domains WHERE organization_id = :org"),
            {"domains": " ".join(domains)[:1000], "org": organization_id},
        )

    with op.batch_alter_table('sso_domain_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_domain_claim_organization_id'))
    op.drop_table('sso_domain_claim')
