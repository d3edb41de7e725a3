"""Live blocks of the architecture catalogue for plan sections.

```planwright services kind=security,data lifecycle=operate``` lists the shared services the plan's
organization owns or uses (options filter by kind and lifecycle); ```planwright principles``` lists its
architecture principles with their rationale and implications. Both run a fixed number of statements.
"""

from __future__ import annotations

from app.architecture import queries
from app.architecture.models import Lifecycle, ServiceKind
from app.portfolio.blocks import BlockCall, BlockRenderer, _values, register_block


def _services(renderer: BlockRenderer, call: BlockCall, block_id: str) -> dict[str, object]:
    kinds = _values(call, "kind", tuple(k.value for k in ServiceKind))
    lifecycles = _values(call, "lifecycle", tuple(s.value for s in Lifecycle))
    organization = renderer.plan.organization
    return {
        "services": queries.catalogue(organization, kinds=kinds, lifecycles=lifecycles),
        "organization": organization,
    }


def _principles(renderer: BlockRenderer, call: BlockCall, block_id: str) -> dict[str, object]:
    return {"principles": queries.principles_of(renderer.plan.organization_id)}


register_block("services", ("kind", "lifecycle"), _services, "architecture/blocks/services.html")
register_block("principles", (), _principles, "architecture/blocks/principles.html")
