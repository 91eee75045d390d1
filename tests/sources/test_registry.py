"""One place knows the sources: built-ins and third-party plug-ins through the same entry points."""

from __future__ import annotations

import sys

import pytest

from ecoute.sources import registry
from ecoute.sources.file import FileSource
from ecoute.sources.mastodon import MastodonSource
from ecoute.sources.rss import RssSource


@pytest.fixture
def fresh_registry():
    registry.available.cache_clear()
    yield
    registry.available.cache_clear()


def test_built_in_sources_are_entry_points(fresh_registry):
    assert registry.available()["file"] is FileSource
    assert registry.available()["rss"] is RssSource
    assert registry.available()["mastodon"] is MastodonSource


def test_a_third_party_source_plugs_in_through_the_entry_point_group(fresh_registry, tmp_path, monkeypatch):
    package = tmp_path / "ecoute_toot.py"
    package.write_text(
        "class TootSource:\n"
        "    platform = 'mastodon'\n"
        "    description = 'Mastodon (test plug-in)'\n"
        "    def poll(self, settings, cursor):\n"
        "        raise NotImplementedError\n"
    )
    dist = tmp_path / "ecoute_toot-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ecoute-toot\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[ecoute.sources]\ntoot = ecoute_toot:TootSource\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    source = registry.get("toot")

    assert (source.__name__, source.description) == ("TootSource", "Mastodon (test plug-in)")
    monkeypatch.delitem(sys.modules, "ecoute_toot", raising=False)


def test_an_unknown_source_names_the_installed_ones(fresh_registry):
    with pytest.raises(registry.UnknownSource, match=r"unknown source 'myspace' \(installed: .*file.*rss"):
        registry.get("myspace")
