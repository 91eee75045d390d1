"""Fixtures for the REST API tests: two populated workspaces and an OpenAPI-checking client."""

from __future__ import annotations

import pytest

import api_world
from openapi_check import ApiClient


@pytest.fixture
def world(db, workspace, other_workspace) -> api_world.World:
    return api_world.build_world(db, workspace, other_workspace)


@pytest.fixture
def api(client) -> ApiClient:
    """No token yet: ``api.as_token(world.acme.tokens["agent"])``."""
    return ApiClient(client)
