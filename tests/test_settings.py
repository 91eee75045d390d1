"""The one settings list: every setting documented, read from the environment, validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecoute.settings import SETTINGS, Settings

DOCS = Path(__file__).parents[1] / "docs" / "settings.md"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting):
    assert f"`{setting.env_var}`" in DOCS.read_text(encoding="utf-8")


def test_environment_and_overrides(tmp_path):
    settings = Settings(environ={"ECOUTE_BATCH_SIZE": "250", "ECOUTE_DATA_DIR": str(tmp_path / "d")})

    assert settings.int("batch_size") == 250
    assert settings.database_url == f"sqlite:///{tmp_path / 'd' / 'ecoute.db'}"
    assert Settings({"batch_size": "10"}, environ={}).int("batch_size") == 10


def test_bad_values_name_the_variable():
    with pytest.raises(ValueError, match="ECOUTE_BATCH_SIZE='lots' is not a whole number"):
        Settings(environ={"ECOUTE_BATCH_SIZE": "lots"}).int("batch_size")


def test_unknown_override_is_refused():
    with pytest.raises(KeyError, match="unknown setting"):
        Settings({"batch_sise": "1"})
