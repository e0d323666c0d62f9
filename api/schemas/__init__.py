"""What the API takes and gives: separate schemas for creating and for showing each resource,
one module per resource, the shared field types in `api.schemas.common`."""

from api.schemas.bookings import (
    Alternative,
    BookingCreate,
    BookingPublic,
    FarePublic,
    SeriesCreate,
    SeriesPublic,
    Window,
)
from api.schemas.common import (
    ID_PATTERN,
    Identifier,
    InputModel,
    Moment,
    PlaceIn,
    PlacePublic,
    ServiceDate,
    Text,
)
from api.schemas.riders import CaregiverLinkCreate, RiderCreate, RiderPublic
from api.schemas.users import LoginRequest, TokenPublic, UserCreate, UserPublic

__all__ = [
    "ID_PATTERN",
    "Alternative",
    "BookingCreate",
    "BookingPublic",
    "CaregiverLinkCreate",
    "FarePublic",
    "Identifier",
    "InputModel",
    "LoginRequest",
    "Moment",
    "PlaceIn",
    "PlacePublic",
    "RiderCreate",
    "RiderPublic",
    "SeriesCreate",
    "SeriesPublic",
    "ServiceDate",
    "Text",
    "TokenPublic",
    "UserCreate",
    "UserPublic",
    "Window",
]
