"""Files that cannot be read safely are refused with a clear message, and nothing at all is written."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.stratml.reader import UnreadableFile, read
from app.stratml.service import import_file
from tests.stratml import samples
from tests.stratml.world import row_counts

TEN_MB = 10 * 1024 * 1024


def _refused(data: bytes, org, user) -> str:  # type: ignore[no-untyped-def]
    before = row_counts()
    with pytest.raises(UnreadableFile) as refused:
        import_file(data, filename="bad.xml", organization=org, user=user)
    db.session.rollback()
    assert row_counts() == before, "a refused file wrote something"
    return str(refused.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (samples.BROKEN.encode(), "The file is not well-formed XML (line 1:"),
        (samples.NOT_XML, "The file is not well-formed XML"),
        (b"", "The file is empty."),
        (samples.WRONG_ROOT.encode(), "StratML 3.5 drafts are not a standard"),
        (samples.HTML_PAGE.encode(), "The file starts with <html>; a StratML plan starts with <StrategicPlan>"),
        (samples.ENTITY_BOMB.encode(), "declares a DOCTYPE or entities, which Planwright refuses for safety"),
        (samples.ENTITY_BOMB.encode("utf-16"), "declares a DOCTYPE or entities"),
    ],
    ids=["broken", "not xml", "empty", "stratml 3.5", "html", "entity bomb", "entity bomb in utf-16"],
)
def test_an_unreadable_file_is_refused_and_nothing_is_written(org, editor, data, message):
    assert message in _refused(data, org, editor)


def test_an_external_entity_is_never_resolved(org, editor, tmp_path):
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-7f3a secret contents")
    message = _refused(samples.external_entity(str(canary)).encode(), org, editor)
    assert "DOCTYPE" in message and "CANARY" not in message


def test_the_parser_itself_neither_expands_nor_fetches_entities(tmp_path):
    """Below the DOCTYPE refusal, the parser is safe on its own: it would leave entities unexpanded."""
    from lxml import etree

    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-7f3a")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    root = etree.fromstring(samples.external_entity(str(canary)).encode(), parser)
    assert "CANARY" not in etree.tostring(root).decode()
    try:
        bomb = etree.fromstring(samples.ENTITY_BOMB.encode(), parser)
    except etree.XMLSyntaxError as exc:  # libxml2 stops the amplification itself
        assert "amplification" in str(exc)
    else:
        assert len(etree.tostring(bomb)) < 10_000


def test_a_file_over_the_size_limit_is_refused_before_parsing(org, editor):
    data = samples.oversized(TEN_MB)
    assert len(data) == TEN_MB + 1
    assert "larger than 10 MB" in _refused(data, org, editor)


def test_a_file_at_the_size_limit_is_read(app):
    data = samples.oversized(TEN_MB - 100)
    assert TEN_MB - 100 < len(data) <= TEN_MB
    assert read(data, max_bytes=TEN_MB).document.name == "Huge"


def test_the_limit_comes_from_the_configuration(app, org, editor, monkeypatch):
    monkeypatch.setitem(app.config, "STRATML_MAX_BYTES", 512 * 1024)
    assert "larger than 0.5 MB" in _refused(samples.oversized(600 * 1024), org, editor)
