"""Request and response bodies of the admin JSON API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from app.admin.listing import PlaceRow
from app.places.validation import PlaceRecord


class LoginIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class UserOut(BaseModel):
    id: int
    email: str
    role: str
    municipalities: list[str]
    active: bool


class SessionOut(BaseModel):
    user: UserOut
    csrf_token: str = Field(description="send it as X-CSRF-Token with every change")


class PasswordIn(BaseModel):
    current: str = Field(max_length=1024)
    new: str = Field(max_length=1024)


class PlaceIn(BaseModel):
    """A place as the editor sends it; ``categories`` are slugs, the first is the primary one."""

    name: str
    categories: list[str]
    lon: float | None = None
    lat: float | None = None
    description: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    municipality: str | None = None
    ags: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    provider: str | None = None
    provider_kind: str | None = None
    target_groups: list[str] = []
    languages: list[str] = []
    wheelchair: str = "unknown"
    accessibility_notes: str | None = None
    opening_hours: str | None = None
    status: str | None = None
    last_verified: str | None = None

    def record(self) -> PlaceRecord:
        return PlaceRecord(**self.model_dump(include=set(PlaceIn.model_fields)))


class PlaceUpdate(PlaceIn):
    version: int = Field(description="the version the editor started from")
    confirm: bool = Field(False, description="save despite warnings (outside the service area, "
                                             "possible duplicate)")


class PlaceCreate(PlaceIn):
    confirm: bool = False


class VersionIn(BaseModel):
    version: int


class PlaceOut(BaseModel):
    id: int
    place: dict = Field(description="the place's snapshot, including its version")


class SavedOut(BaseModel):
    id: int
    version: int


class ChangeOut(BaseModel):
    field: str
    before: object = None
    after: object = None


class RevisionOut(BaseModel):
    id: int
    at: dt.datetime
    user: str | None
    action: str
    version: int
    changes: list[ChangeOut]


class PlaceListOut(BaseModel):
    places: list[PlaceRow]  # the listing's own rows; pydantic documents and checks them
    number_matched: int | None


class UserIn(BaseModel):
    email: str
    password: str
    role: str
    municipalities: list[str] = []


class UserUpdate(BaseModel):
    role: str
    municipalities: list[str] = []
    active: bool = True


class SuggestionOut(BaseModel):
    id: int
    place_id: int | None = Field(description="the place a correction is for; null for a new place")
    place_name: str | None
    fields: dict[str, str | None] = Field(description="what the citizen sent")
    changes: dict[str, str | None] = Field(description="what accepting applies: for a correction "
                                                       "only the fields the citizen changed")
    category: str | None
    message: str | None
    contact: str | None
    status: str
    created_at: dt.datetime


class AcceptIn(BaseModel):
    version: int | None = Field(None, description="for a correction: the place's version the "
                                                  "editor reviewed against (409 if it changed)")


class AcceptedOut(BaseModel):
    suggestion_id: int
    place_id: int = Field(description="the new draft or the corrected place")


class QualityPlaceOut(BaseModel):
    id: int
    name: str
    municipality: str | None
    version: int
    last_verified: dt.date | None


class QualityPlacesOut(BaseModel):
    count: int = Field(description="all such places; `places` holds at most `limit` of them")
    places: list[QualityPlaceOut]


class DuplicateOut(BaseModel):
    first_id: int
    first_name: str
    second_id: int
    second_name: str
    metres: int


class DuplicatesOut(BaseModel):
    count: int | None = Field(description="all such pairs; null when not searched because more "
                                           "places are visible than can be compared at once "
                                           "(ask again with municipality=)")
    pairs: list[DuplicateOut]


class QualityOut(BaseModel):
    limit: int
    needs_location: QualityPlacesOut
    unverified: QualityPlacesOut
    no_contact: QualityPlacesOut
    duplicates: DuplicatesOut
