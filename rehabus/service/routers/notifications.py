"""What riders have been told: the messages of the outbox (`rehabus.service.notify`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from rehabus.service.auth import rider_ids_for
from rehabus.service.db.models import Notification
from rehabus.service.deps import CurrentUser, SessionDep
from rehabus.service.schemas.common import Identifier
from rehabus.service.schemas.notifications import NotificationPublic

router = APIRouter(prefix="/v1/notifications", tags=["notifications"])


@router.get("", response_model=list[NotificationPublic])
def list_notifications(
    session: SessionDep,
    user: CurrentUser,
    rider_id: Annotated[Identifier | None, Query(description="one rider's only")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[NotificationPublic]:
    """The newest messages to the riders the signed-in user may see (their own, those they
    care for; staff: all), one row per channel (the rider's page, LINE, SMS), each with
    whether it has gone out."""
    allowed = rider_ids_for(session, user)
    query = select(Notification).order_by(Notification.id.desc())
    if allowed is not None:
        query = query.where(Notification.rider_id.in_(allowed))
    if rider_id is not None:
        query = query.where(Notification.rider_id == rider_id)
    rows = session.scalars(query.limit(limit))
    return [NotificationPublic.model_validate(r, from_attributes=True) for r in rows]
