"""A rule's decision: allowed, or refused with a reason in both languages."""

from __future__ import annotations

import pytest

from rehabus.dispatch.booking import RuleDecision


def test_allow() -> None:
    decision = RuleDecision.allow("eligibility.disability_certificate")
    assert decision == RuleDecision(True, "eligibility.disability_certificate", "", "")


def test_refusal_needs_both_messages() -> None:
    with pytest.raises(ValueError, match="Chinese and in English"):
        RuleDecision(False, "x.y", message_zh="不行")
    refused = RuleDecision.refuse("x.y", "不行", "No")
    assert (refused.ok, refused.rule, refused.message_zh, refused.message_en) == (
        False,
        "x.y",
        "不行",
        "No",
    )


def test_rule_name_required() -> None:
    with pytest.raises(ValueError, match="rule's name"):
        RuleDecision.allow("")
