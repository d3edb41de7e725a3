import pytest
from flask import Flask

from tests.core.world import IsolatedClient, new_client


@pytest.fixture
def client(app: Flask) -> IsolatedClient:
    """Each request in its own app context (see IsolatedClient), as it would be in production."""
    return new_client(app)
