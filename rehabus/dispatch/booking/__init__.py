"""The business rules of booking a rehabilitation bus, one named function per rule.

Pure functions of a city's configuration (``data/cities/<city>.toml``, see
:mod:`rehabus.dispatch.city`) and the facts of a booking; no database, no web framework. A refusal
is a :class:`RuleDecision` that names the rule and gives the reason in Traditional Chinese and in
English::

    from rehabus.dispatch.booking import check_eligibility, quote_fare
    decision = check_eligibility(city, rider, TripPurpose.MEDICAL)
    if not decision.ok:
        print(decision.rule, decision.message_zh)
"""

from __future__ import annotations

from rehabus.dispatch.booking._cancellation import (
    CancellationOutcome,
    Penalty,
    check_cancellation,
    check_suspension,
    no_show_penalty,
    suspended_until,
)
from rehabus.dispatch.booking._decision import RuleDecision
from rehabus.dispatch.booking._eligibility import (
    check_certificate_expiry,
    check_eligibility,
    kaohsiung_eligibility,
    tainan_eligibility,
)
from rehabus.dispatch.booking._fare import (
    Fare,
    SharedState,
    quote_fare,
    round_half_up,
    taxi_meter_fare,
)
from rehabus.dispatch.booking._identity import (
    NationalIdError,
    check_national_id,
    mask_national_id,
)
from rehabus.dispatch.booking._long_term_care import (
    IncomeClass,
    LtcCharge,
    LtcPerson,
    ltc_charge,
    ltc_eligibility,
    ltc_trip_allowed,
    ltc_trip_cost_twd,
)
from rehabus.dispatch.booking._region import dispatch_region
from rehabus.dispatch.booking._rider import CertificateLevel, RiderProfile, TripPurpose
from rehabus.dispatch.booking._taxi import TaxiOffer, taxi_discount_twd, taxi_instead, taxi_offer
from rehabus.dispatch.booking._time import local
from rehabus.dispatch.booking._trip import (
    TripSpan,
    check_no_overlap,
    check_ride_needed,
    check_sharing_choice,
)
from rehabus.dispatch.booking._window import (
    check_booking_window,
    check_service_hours,
    pickup_window,
    promised_window_s,
)

__all__ = [
    "CancellationOutcome",
    "CertificateLevel",
    "Fare",
    "IncomeClass",
    "LtcCharge",
    "LtcPerson",
    "NationalIdError",
    "Penalty",
    "RiderProfile",
    "RuleDecision",
    "SharedState",
    "TaxiOffer",
    "TripPurpose",
    "TripSpan",
    "check_booking_window",
    "check_cancellation",
    "check_certificate_expiry",
    "check_eligibility",
    "check_national_id",
    "check_no_overlap",
    "check_ride_needed",
    "check_service_hours",
    "check_sharing_choice",
    "check_suspension",
    "dispatch_region",
    "kaohsiung_eligibility",
    "local",
    "ltc_charge",
    "ltc_eligibility",
    "ltc_trip_allowed",
    "ltc_trip_cost_twd",
    "mask_national_id",
    "no_show_penalty",
    "pickup_window",
    "promised_window_s",
    "quote_fare",
    "round_half_up",
    "suspended_until",
    "tainan_eligibility",
    "taxi_discount_twd",
    "taxi_instead",
    "taxi_meter_fare",
    "taxi_offer",
]
