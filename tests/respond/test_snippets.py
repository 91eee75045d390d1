"""Saved replies: variables render, missing values vanish cleanly, unknown variables are named."""

from __future__ import annotations

import pytest

from ecoute.respond.snippets import SnippetError, render_snippet, variables_in


def test_variables_render():
    rendered = render_snippet(
        "Bonjour {first_name}, votre commande {order} chez {brand} part aujourd'hui. — {agent_name}",
        {"first_name": "Claire", "order": "#CL-20931", "brand": "Cyclune", "agent_name": "Chloé"},
    )

    assert rendered.text == "Bonjour Claire, votre commande #CL-20931 chez Cyclune part aujourd'hui. — Chloé"
    assert rendered.missing == ()


def test_a_missing_value_leaves_no_gap_and_is_reported():
    rendered = render_snippet("Bonjour {first_name}, merci ! {{code promo}}", {"first_name": None})

    assert rendered.text == "Bonjour, merci ! {code promo}"
    assert rendered.missing == ("first_name",)


def test_an_unknown_variable_is_named_with_its_position_and_a_suggestion():
    with pytest.raises(
        SnippetError,
        match=r"unknown variable \{frist_name\} at character 9 \(did you mean "
        r"\{first_name\}\?\)",
    ):
        render_snippet("Bonjour {frist_name} !", {"first_name": "Claire"})


def test_an_unclosed_brace_is_refused():
    with pytest.raises(SnippetError, match="unclosed"):
        variables_in("Bonjour {first_name")


def test_variables_in_lists_each_once_in_order():
    assert variables_in("{first_name} {order} {first_name} {{x}}") == ["first_name", "order"]
