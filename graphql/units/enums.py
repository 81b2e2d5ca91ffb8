"""The closed sets of the joint-building registers; each value is the string the domain stores."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class UnitKind(Enum):
    ENTERPRISE = "enterprise"
    SCHOOL = "school"
    HOSPITAL = "hospital"
    ORGAN = "organ"
    TWO_NEW = "two_new"
    PROPERTY_COMPANY = "property_company"
    OWNERS_COMMITTEE = "owners_committee"
    OTHER = "other"


@strawberry.enum
class ResourceKind(Enum):
    VENUE = "venue"
    EQUIPMENT = "equipment"
    GOODS = "goods"
    EXPERTISE = "expertise"
    FUNDS = "funds"
    VOLUNTEERS = "volunteers"


@strawberry.enum(description="open → claimed (by a unit) → completed.")
class ProjectStatus(Enum):
    OPEN = "open"
    CLAIMED = "claimed"
    COMPLETED = "completed"


@strawberry.enum(description="The five categories of the menu: 党建, 讲堂, 民生, 健康, 文体.")
class ServiceCategory(Enum):
    PARTY_BUILDING = "party_building"
    LECTURE = "lecture"
    LIVELIHOOD = "livelihood"
    HEALTH = "health"
    CULTURE_SPORT = "culture_sport"


@strawberry.enum(description="ordered → accepted → delivered → rated.")
class OrderStatus(Enum):
    ORDERED = "ordered"
    ACCEPTED = "accepted"
    DELIVERED = "delivered"
    RATED = "rated"


@strawberry.enum
class ResourceOrderField(Enum):
    KIND = "kind"
    CREATED_AT = "created_at"


@strawberry.enum
class TitledOrderField(Enum):
    TITLE = "title"
    CREATED_AT = "created_at"
