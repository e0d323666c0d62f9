"""Telling riders: the outbox (`outbox.Notifier`), what they are told and when (`news`), and
the channels it goes through (`channels`: the rider's page, LINE, SMS)."""

from rehabus.service.notify.channels import (
    Channel,
    LineChannel,
    MitakeSms,
    Sent,
    TransientSendError,
    UndeliverableError,
)
from rehabus.service.notify.outbox import Message, Notifier, mobile_number

__all__ = [
    "Channel",
    "LineChannel",
    "Message",
    "MitakeSms",
    "Notifier",
    "Sent",
    "TransientSendError",
    "UndeliverableError",
    "mobile_number",
]
