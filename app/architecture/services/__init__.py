"""Architecture operations. Each checks its rules, flushes, writes one audit event and never commits.

Catalogue changes are recorded on the service, standard or principle; an initiative's ties and answers
are recorded on the initiative (object type ``initiative``), so its history shows them beside the rest.
"""

from app.architecture.services.catalogue import (
    SERVICE_FIELDS,
    ServiceFields,
    create_service,
    delete_service,
    update_service,
)
from app.architecture.services.common import EditConflict, FieldError
from app.architecture.services.initiatives import (
    answer_principle,
    clear_answer,
    service_usable_by,
    tie_service,
    untie_service,
)
from app.architecture.services.principles import (
    PRINCIPLE_FIELDS,
    PrincipleFields,
    create_principle,
    delete_principle,
    update_principle,
)
from app.architecture.services.standards import create_standard, delete_standard, update_standard

__all__ = [
    "PRINCIPLE_FIELDS",
    "SERVICE_FIELDS",
    "EditConflict",
    "FieldError",
    "PrincipleFields",
    "ServiceFields",
    "answer_principle",
    "clear_answer",
    "create_principle",
    "create_service",
    "create_standard",
    "delete_principle",
    "delete_service",
    "delete_standard",
    "service_usable_by",
    "tie_service",
    "untie_service",
    "update_principle",
    "update_service",
    "update_standard",
]
