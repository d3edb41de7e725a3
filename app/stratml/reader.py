"""Read an uploaded StratML file safely into a ``Document``, noting what it could not map.

Parsing refuses anything risky before any record is touched: files over the size limit, anything that
is not well-formed XML, any DOCTYPE (so no entity definitions, expansion bombs or external entities),
and roots other than StrategicPlan / PerformancePlanOrReport. The parser never resolves entities, never
loads a DTD and never uses the network. A readable file that does not validate is still read; the
caller tells the user why it did not validate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from app.core.errors import DomainError
from app.stratml import document as doc
from app.stratml.schemas import ROOTS, VOCABULARIES, schema_for

MAX_VALIDATION_MESSAGES = 5
# Goals and objectives one import may create (STRATML_MAX_ELEMENTS): a plan's hierarchy has tens to hundreds; each
# becomes an objective with its audit event, so a file of thousands would hold the database for minutes.
DEFAULT_MAX_ELEMENTS = 2000
# Every element of the file (names, descriptions, indicators...) is bounded too, before the schema check.
ELEMENTS_PER_GOAL_OR_OBJECTIVE = 50
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_NAMESPACE = re.compile(r"\{[^}]*\}")


class UnreadableFile(DomainError):
    """The file cannot be read as StratML; ``str(exc)`` says why and what to do. Nothing was written."""


@dataclass
class ReadResult:
    document: doc.Document
    version: str  # e.g. "StratML Part 2 (2016)"
    part: int
    validated: bool  # whether a schema was available to check the file against
    validation_errors: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.validated and not self.validation_errors


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def parse(data: bytes, *, max_bytes: int) -> etree._Element:
    """The root element of a well-formed XML file with no DOCTYPE, or UnreadableFile."""
    if len(data) > max_bytes:
        raise UnreadableFile(
            f"The file is larger than {_megabytes(max_bytes)} MB, the most Planwright imports. "
            "Remove content you do not need (or split the plan) and upload it again."
        )
    if not data.strip():
        raise UnreadableFile("The file is empty. Choose the StratML (.xml) file of the plan.")
    if _declares_doctype(data):
        raise UnreadableFile(_no_doctype())
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        if "entity" in (exc.msg or "").lower():
            raise UnreadableFile(_no_doctype()) from None
        line = f" (line {exc.lineno}: {exc.msg})" if exc.lineno else ""
        raise UnreadableFile(
            f"The file is not well-formed XML{line}, so it cannot be read. Check that it is a StratML file "
            "saved as XML, not a Word or PDF document."
        ) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # e.g. a UTF-16 file the byte check missed
        raise UnreadableFile(_no_doctype())
    return root


def _declares_doctype(data: bytes) -> bool:
    """A DOCTYPE or ENTITY declaration, in UTF-8 and its relatives or in a UTF-16/32 file."""
    if _DOCTYPE.search(data):
        return True
    if b"\x00" not in data[:4]:
        return False
    for encoding in ("utf-32", "utf-16", "utf-32-be", "utf-16-be"):  # with or without a byte-order mark
        if _DOCTYPE.search(data.decode(encoding, errors="ignore").encode()):
            return True
    return False


def _no_doctype() -> str:
    return (
        "The file declares a DOCTYPE or entities, which Planwright refuses for safety. StratML files do not "
        "need one: remove the <!DOCTYPE …> declaration and upload the file again."
    )


def local(element: etree._Element) -> str:
    return etree.QName(element).localname


def read(data: bytes, *, max_bytes: int, max_elements: int = DEFAULT_MAX_ELEMENTS) -> ReadResult:
    """Parse, check the root and the number of goals and objectives (at most ``max_elements``), validate against
    the matching schema, and map the content."""
    root = parse(data, max_bytes=max_bytes)
    _check_size(root, max_elements)
    if not isinstance(root.tag, str) or local(root) not in ROOTS:
        name = local(root) if isinstance(root.tag, str) else "?"
        extra = (
            " (StratML 3.5 drafts are not a standard and are not supported)"
            if name == "OrganizationalStrategyDocument"
            else ""
        )
        raise UnreadableFile(
            f"The file starts with <{name}>{extra}; a StratML plan starts with <StrategicPlan> (Part 1) or "
            "<PerformancePlanOrReport> (Part 2). Choose a StratML file."
        )
    namespace = etree.QName(root).namespace or ""
    vocabulary = VOCABULARIES.get(namespace)
    part = ROOTS[local(root)]
    if vocabulary is not None and vocabulary.root == local(root):
        version, errors, validated = vocabulary.label, *_validate(root, namespace)
    else:
        shown = namespace or "no namespace"
        version, validated = f"StratML Part {part} ({shown})", False
        errors = [f"The namespace ({shown}) is not one of the StratML namespaces, so the file was not validated."]
    reader = _Reader(root)
    document = reader.document()
    return ReadResult(document, version, part, validated, errors, reader.unmapped())


def _check_size(root: etree._Element, max_elements: int) -> None:
    """Refuse, before any schema check or mapping, a file with more goals and objectives than one import may
    create (or far more elements of any kind than that many would need)."""
    goals = 0
    for total, element in enumerate(root.iter(tag=etree.Element), start=1):
        if local(element) in ("Goal", "Objective"):
            goals += 1
        if goals > max_elements or total > max_elements * ELEMENTS_PER_GOAL_OR_OBJECTIVE:
            raise UnreadableFile(
                f"The file has more than {max_elements:,} goals and objectives, the most one import creates. "
                "Split the plan into smaller files (for example one per goal) and import them one by one."
            )


def _validate(root: etree._Element, namespace: str) -> tuple[list[str], bool]:
    schema = schema_for(namespace)
    if schema is None:
        return ["The StratML schema files are not installed here, so the file was not validated."], False
    if schema.validate(root):
        return [], True
    messages = [f"line {e.line}: {_NAMESPACE.sub('', e.message)}" for e in list(schema.error_log)]
    shown = messages[:MAX_VALIDATION_MESSAGES]
    if len(messages) > len(shown):
        shown.append(f"and {len(messages) - len(shown)} more")
    return shown, True


def _text(element: etree._Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class _Reader:
    """Walks the tree marking each element it maps; whatever is left unmarked is reported as not mapped."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.used: set[etree._Element] = {root}

    def kids(self, parent: etree._Element | None, name: str) -> list[etree._Element]:
        if parent is None:
            return []
        found = [child for child in parent if isinstance(child.tag, str) and local(child) == name]
        self.used.update(found)
        return found

    def one(self, parent: etree._Element | None, name: str) -> etree._Element | None:
        if parent is None:
            return None
        for child in parent:
            if isinstance(child.tag, str) and local(child) == name:
                self.used.add(child)
                return child  # a second one of a single element is reported as not mapped
        return None

    def text(self, parent: etree._Element | None, name: str) -> str:
        return _text(self.one(parent, name))

    def document(self) -> doc.Document:
        root = self.root
        core = self.one(root, "StrategicPlanCore")
        plan = doc.Document(
            name=self.text(root, "Name"),
            description=self.text(root, "Description"),
            other_information=self.text(root, "OtherInformation"),
        )
        organization = self.one(core, "Organization")
        plan.organization_name = self.text(organization, "Name")
        self.one(organization, "Identifier")
        for name in ("Vision", "Mission"):
            statement = self.one(core, name)
            self.one(statement, "Identifier")
            setattr(plan, name.lower(), self.text(statement, "Description"))
        for value in self.kids(core, "Value"):
            plan.values.append(doc.Value(self.text(value, "Name"), self.text(value, "Description")))
        for number, goal in enumerate(self.kids(core, "Goal"), start=1):
            plan.goals.append(self.node(goal, f"Goal {number}"))
        admin = self.one(root, "AdministrativeInformation")
        self.one(admin, "Identifier")
        plan.start = _day(self.text(admin, "StartDate"))
        plan.end = _day(self.text(admin, "EndDate"))
        return plan

    def node(self, element: etree._Element, fallback: str, *, within: str = "") -> doc.Node:
        node = doc.Node(name=self.text(element, "Name"), description=self.text(element, "Description"))
        self.one(element, "Identifier")
        node.sequence = self.text(element, "SequenceIndicator")
        node.path = f"{within}{local(element)} {node.sequence or node.name[:60] or fallback}"
        node.free_info, node.info = doc.split_info(self.text(element, "OtherInformation"))
        for stakeholder in [s for s in element if isinstance(s.tag, str) and local(s) == "Stakeholder"]:
            if not node.owner and self._is_owner(stakeholder):
                self.used.add(stakeholder)
                node.owner = self.text(stakeholder, "Name")
        for number, child in enumerate(self.kids(element, "Objective") if local(element) == "Goal" else [], start=1):
            node.objectives.append(self.node(child, f"{number}", within=f"{node.path} › "))
        for number, indicator in enumerate(self.kids(element, "PerformanceIndicator"), start=1):
            node.indicators.append(self.indicator(indicator, f"{node.path} › PerformanceIndicator {number}"))
        return node

    def _is_owner(self, stakeholder: etree._Element) -> bool:
        """The stakeholder Planwright writes for an objective's owner: described, or in a role, as "Owner"."""
        description = _text(next((c for c in stakeholder if local(c) == "Description"), None))
        roles = [_text(next((n for n in r if local(n) == "Name"), None)) for r in stakeholder if local(r) == "Role"]
        if description.lower() != doc.OWNER_ROLE.lower() and doc.OWNER_ROLE.lower() not in (r.lower() for r in roles):
            return False
        for child in stakeholder.iter():
            self.used.add(child)
        return True

    def indicator(self, element: etree._Element, path: str) -> doc.Indicator:
        indicator = doc.Indicator(
            name=self.text(element, "MeasurementDimension"), unit=self.text(element, "UnitOfMeasurement")
        )
        indicator.sequence = self.text(element, "SequenceIndicator")
        self.one(element, "Identifier")
        if indicator.name:
            indicator.path = f"{path.rsplit(' ', 1)[0]} “{indicator.name[:60]}”"  # "… › PerformanceIndicator “name”"
        else:
            indicator.path = path
        indicator.description, indicator.info = doc.split_info(self.text(element, "OtherInformation"))
        for instance in self.kids(element, "MeasurementInstance"):
            indicator.targets.extend(self.reading(r) for r in self.kids(instance, "TargetResult"))
            indicator.actuals.extend(self.reading(r) for r in self.kids(instance, "ActualResult"))
        return indicator

    def reading(self, element: etree._Element) -> doc.Reading:
        day = _day(self.text(element, "EndDate")) or _day(self.text(element, "StartDate"))
        reading = doc.Reading(day=day, value=_decimal(self.text(element, "NumberOfUnits")))
        descriptor = next((c for c in element if isinstance(c.tag, str) and local(c) == "Descriptor"), None)
        if descriptor is not None:
            words = {_text(c).lower() for c in descriptor if isinstance(c.tag, str)}
            if doc.BASELINE.lower() in words:
                reading.is_baseline = True
                self.used.update(descriptor.iter())
        reading.note = self.text(element, "Description")
        return reading

    def unmapped(self) -> list[str]:
        """Each top-most element that was not mapped, with its path and a glimpse of its content."""
        found = []
        for element in self.root.iter():
            if not isinstance(element.tag, str) or element in self.used:
                continue
            parent = element.getparent()
            if parent is not None and parent in self.used:
                found.append(_describe(element))
        return found


def _describe(element: etree._Element) -> str:
    steps = []
    node: etree._Element | None = element
    while node is not None:
        name = local(node)
        parent = node.getparent()
        if parent is not None:
            same = [c for c in parent if isinstance(c.tag, str) and local(c) == name]
            if len(same) > 1:
                name = f"{name}[{same.index(node) + 1}]"
        steps.append(name)
        node = parent
    named = next((c for c in element if isinstance(c.tag, str) and local(c) == "Name"), None)
    glimpse = " ".join(" ".join(piece.split()) for piece in (named if named is not None else element).itertext())
    glimpse = " ".join(glimpse.split())
    shown = f" (“{glimpse[:60]}{'…' if len(glimpse) > 60 else ''}”)" if glimpse else ""
    return "/".join(reversed(steps)) + shown
