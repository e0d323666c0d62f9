"""The answer of a booking rule: allowed, or refused with the rule's name and a reason."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RuleDecision"]


@dataclass(frozen=True, slots=True)
class RuleDecision:
    """What one rule decided.

    Attributes
    ----------
    ok
        ``True`` if the rule allows the booking.
    rule
        The rule's dotted name, e.g. ``'eligibility.certificate_required'``; for an allowed
        booking, the name of the clause that allowed it (``'eligibility.disability_certificate'``).
    message_zh, message_en
        For a refusal, the reason for the rider in Traditional Chinese and in English; empty
        when allowed.
    """

    ok: bool
    rule: str
    message_zh: str = ""
    message_en: str = ""

    def __post_init__(self) -> None:
        if not self.rule:
            raise ValueError("a rule decision needs the rule's name")
        if not self.ok and not (self.message_zh and self.message_en):
            raise ValueError(f"refusal by {self.rule} needs a message in Chinese and in English")

    @classmethod
    def allow(cls, rule: str) -> RuleDecision:
        """The decision that ``rule`` allows the booking."""
        return cls(ok=True, rule=rule)

    @classmethod
    def refuse(cls, rule: str, message_zh: str, message_en: str) -> RuleDecision:
        """The decision that ``rule`` refuses the booking, with the reason in both languages."""
        return cls(ok=False, rule=rule, message_zh=message_zh, message_en=message_en)
