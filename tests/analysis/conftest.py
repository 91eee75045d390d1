"""The analyzer is loaded once for the whole session: models load in seconds, tests in milliseconds."""

from __future__ import annotations

import pytest

from ecoute.analysis import Analyzer, get_analyzer
from ecoute.analysis.language import LanguageDetector, get_language_detector


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return get_analyzer()


@pytest.fixture(scope="session")
def detector() -> LanguageDetector:
    return get_language_detector()
