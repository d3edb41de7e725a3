"""Shared set-up for the core tests (and tests/security, tests/api, ...): organizations with every role and one
of every kind of object, canary text, signed-in clients, URLs built from ``app.url_map``, plausible form bodies
and table snapshots.

- ``tenant``: ``Tenant`` and ``build_tenant``, the objects every route can be pointed at;
- ``routes``: the route parameters and their ids, signed-in clients, the routes a session reaches, their URLs;
- ``forms``: ``form_data``, a plausible body for every POST endpoint;
- ``snapshots``: row counts and row digests, to tell which tables a request changed.

Everything is importable from ``tests.core.world`` itself.
"""

from tests.core.world.forms import VERSIONED, FormBody, form_data
from tests.core.world.routes import (
    ID_MODELS,
    MISSING_IDS,
    OBJECT_PARAMS,
    QUERY_ARGS,
    ROUTE_VALUES,
    build_url,
    methods_of,
    new_client,
    object_rules,
    session_rules,
    signed_in,
    unclassified_params,
    urls_of,
)
from tests.core.world.snapshots import changed_tables, content_digest, row_counts
from tests.core.world.tenant import Tenant, build_tenant

__all__ = [
    "ID_MODELS",
    "MISSING_IDS",
    "OBJECT_PARAMS",
    "QUERY_ARGS",
    "ROUTE_VALUES",
    "VERSIONED",
    "FormBody",
    "Tenant",
    "build_tenant",
    "build_url",
    "changed_tables",
    "content_digest",
    "form_data",
    "methods_of",
    "new_client",
    "object_rules",
    "row_counts",
    "session_rules",
    "signed_in",
    "unclassified_params",
    "urls_of",
]
