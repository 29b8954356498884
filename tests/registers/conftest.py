"""Registers' fixtures: clients signed in as the roles that manage the registers."""

import pytest


@pytest.fixture
def admin(signed_in):
    return signed_in("admin")


@pytest.fixture
def lead(signed_in):
    """The Birmingham lead."""
    return signed_in("lead")
