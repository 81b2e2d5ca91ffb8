"""A tenant's committed changes as a subscriber receives them: one type per area, with the
payload services record (tenants/, `events.record`) as typed fields and db ids as global ids."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry
import structlog
from strawberry.relay import to_base64

from redgrid.graphql.cases.enums import CaseAction, CaseDeadline, CaseEscalation, CasePriority, CaseSource, CaseState
from redgrid.graphql.core.fanout import SharedPayload
from redgrid.graphql.figures.types import KeyFigures
from redgrid.graphql.people.enums import HouseholdColour
from redgrid.graphql.registers.types import Register
from redgrid.graphql.sharing.enums import ShareRequestStatus
from redgrid.realtime.hub import HubEvent

log = structlog.get_logger("redgrid.events")


@strawberry.enum(description="Which stream of a tenant's events.")
class EventArea(Enum):
    GRID = "grid"
    PEOPLE = "people"
    CASES = "cases"
    ROSTER = "roster"
    FIGURES = "figures"
    SHARING = "sharing"


@strawberry.enum(description="What happened, one value per change services record (`case.created`: CASE_CREATED).")
class EventType(Enum):
    CASE_CREATED = "case.created"
    CASE_TRANSITIONED = "case.transitioned"
    CASE_ATTACHMENT_ADDED = "case.attachment_added"
    CASE_OVERDUE = "case.overdue"
    CASE_RATED = "case.rated"
    FIGURES_UPDATED = "figures.updated"
    GRID_NODE_CREATED = "grid.node_created"
    GRID_NODE_UPDATED = "grid.node_updated"
    GRID_SUBTREE_MOVED = "grid.subtree_moved"
    GRID_NODE_RETIRED = "grid.node_retired"
    GRID_PARTY_ORGANISATION_ADDED = "grid.party_organisation_added"
    GRID_STATION_ADDED = "grid.station_added"
    UNITS_UNIT_REGISTERED = "units.unit_registered"
    UNITS_UNIT_UPDATED = "units.unit_updated"
    UNITS_UNIT_PAIRED = "units.unit_paired"
    UNITS_RESOURCE_ADDED = "units.resource_added"
    UNITS_RESOURCE_UPDATED = "units.resource_updated"
    UNITS_NEED_ADDED = "units.need_added"
    UNITS_NEED_UPDATED = "units.need_updated"
    UNITS_MENU_ITEM_ADDED = "units.menu_item_added"
    UNITS_MENU_ITEM_UPDATED = "units.menu_item_updated"
    UNITS_ORDER_PLACED = "units.order_placed"
    UNITS_ORDER_ACCEPTED = "units.order_accepted"
    UNITS_ORDER_DELIVERED = "units.order_delivered"
    UNITS_ORDER_RATED = "units.order_rated"
    SHARING_REQUESTED = "sharing.requested"
    SHARING_APPROVED = "sharing.approved"
    SHARING_DECLINED = "sharing.declined"
    SHARING_SCHEDULED = "sharing.scheduled"
    SHARING_DELIVERED = "sharing.delivered"
    SHARING_CANCELLED = "sharing.cancelled"
    SHARING_RATED = "sharing.rated"
    SHARING_NEED_ADDED = "sharing.need_added"
    SHARING_NEED_CLAIMED = "sharing.need_claimed"
    SHARING_NEED_COMPLETED = "sharing.need_completed"
    UNITS_PROJECT_CREATED = "units.project_created"
    UNITS_PROJECT_UPDATED = "units.project_updated"
    UNITS_PROJECT_CLAIMED = "units.project_claimed"
    UNITS_PROJECT_COMPLETED = "units.project_completed"
    UNITS_PROJECT_PLEDGED = "units.project_pledged"
    UNITS_IMPORTED = "units.imported"
    PEOPLE_RESIDENT_REGISTERED = "people.resident_registered"
    PEOPLE_RESIDENT_UPDATED = "people.resident_updated"
    PEOPLE_RESIDENT_REMOVED = "people.resident_removed"
    PEOPLE_HOUSEHOLD_REGISTERED = "people.household_registered"
    PEOPLE_HOUSEHOLD_UPDATED = "people.household_updated"
    PEOPLE_HOUSEHOLD_COLOUR_CHANGED = "people.household_colour_changed"
    PEOPLE_MEMBER_ADDED = "people.member_added"
    PEOPLE_MEMBER_REMOVED = "people.member_removed"
    PEOPLE_PARTY_MEMBER_REGISTERED = "people.party_member_registered"
    PEOPLE_LISTING_CHANGED = "people.listing_changed"
    PEOPLE_COMMITMENT_MADE = "people.commitment_made"
    PEOPLE_COMMITMENT_VERIFIED = "people.commitment_verified"
    PEOPLE_SERVICE_RECORDED = "people.service_recorded"
    PEOPLE_ATTENDANCE_RECORDED = "people.attendance_recorded"
    PEOPLE_POINTS_ADDED = "people.points_added"
    PEOPLE_VOLUNTEER_REGISTERED = "people.volunteer_registered"
    PEOPLE_PAIRING_STARTED = "people.pairing_started"
    PEOPLE_PAIRING_ENDED = "people.pairing_ended"
    PEOPLE_IMPORTED = "people.imported"
    PEOPLE_HOME_VISIT_RECORDED = "people.home_visit_recorded"
    ROSTER_STAFF_ASSIGNED = "roster.staff_assigned"
    ROSTER_TEAM_CREATED = "roster.team_created"
    ROSTER_TEAM_MEMBER_ADDED = "roster.team_member_added"
    ROSTER_TEAM_MEMBER_REMOVED = "roster.team_member_removed"
    ROSTER_SHIFT_CREATED = "roster.shift_created"
    ROSTER_SHIFT_CHANGED = "roster.shift_changed"
    ROSTER_SHIFT_CANCELLED = "roster.shift_cancelled"
    ROSTER_CHECKED_IN = "roster.checked_in"
    ROSTER_CHECKED_OUT = "roster.checked_out"
    ROSTER_WORKER_SAVED = "roster.worker_saved"
    ROSTER_WORKER_REMOVED = "roster.worker_removed"


T = EventType
# The Relay type of the row an event's `id` names, where the API has it as a node
# (`subjectId`); events about rows it has no node for name their member or household instead.
SUBJECTS: dict[EventType, str] = {
    **dict.fromkeys((T.GRID_NODE_CREATED, T.GRID_NODE_UPDATED, T.GRID_SUBTREE_MOVED, T.GRID_NODE_RETIRED), "GridNode"),
    T.GRID_PARTY_ORGANISATION_ADDED: "PartyOrganisation",
    T.GRID_STATION_ADDED: "ServiceStation",
    **dict.fromkeys((T.UNITS_UNIT_REGISTERED, T.UNITS_UNIT_UPDATED, T.UNITS_UNIT_PAIRED), "JointUnit"),
    **dict.fromkeys((T.UNITS_RESOURCE_ADDED, T.UNITS_RESOURCE_UPDATED), "UnitResource"),
    **dict.fromkeys((T.UNITS_NEED_ADDED, T.UNITS_NEED_UPDATED), "UnitNeed"),
    **dict.fromkeys((T.SHARING_NEED_ADDED, T.SHARING_NEED_CLAIMED, T.SHARING_NEED_COMPLETED), "GridNeed"),
    **dict.fromkeys((T.UNITS_MENU_ITEM_ADDED, T.UNITS_MENU_ITEM_UPDATED), "ServiceItem"),
    **dict.fromkeys(
        (T.UNITS_ORDER_PLACED, T.UNITS_ORDER_ACCEPTED, T.UNITS_ORDER_DELIVERED, T.UNITS_ORDER_RATED), "ServiceOrder"
    ),
    **dict.fromkeys(
        (
            T.UNITS_PROJECT_CREATED,
            T.UNITS_PROJECT_UPDATED,
            T.UNITS_PROJECT_CLAIMED,
            T.UNITS_PROJECT_COMPLETED,
            T.UNITS_PROJECT_PLEDGED,
        ),
        "PublicProject",
    ),
    **dict.fromkeys((T.PEOPLE_RESIDENT_REGISTERED, T.PEOPLE_RESIDENT_UPDATED, T.PEOPLE_RESIDENT_REMOVED), "Resident"),
    **dict.fromkeys(
        (T.PEOPLE_HOUSEHOLD_REGISTERED, T.PEOPLE_HOUSEHOLD_UPDATED, T.PEOPLE_HOUSEHOLD_COLOUR_CHANGED), "Household"
    ),
    **dict.fromkeys((T.PEOPLE_PARTY_MEMBER_REGISTERED, T.PEOPLE_LISTING_CHANGED), "PartyMember"),
    **dict.fromkeys((T.PEOPLE_COMMITMENT_MADE, T.PEOPLE_COMMITMENT_VERIFIED), "Commitment"),
    T.PEOPLE_VOLUNTEER_REGISTERED: "Volunteer",
    **dict.fromkeys((T.PEOPLE_PAIRING_STARTED, T.PEOPLE_PAIRING_ENDED), "Pairing"),
    T.PEOPLE_HOME_VISIT_RECORDED: "HomeVisit",
    T.ROSTER_STAFF_ASSIGNED: "SinkingStaff",
    **dict.fromkeys((T.ROSTER_WORKER_SAVED, T.ROSTER_WORKER_REMOVED), "GridWorker"),
    **dict.fromkeys((T.ROSTER_TEAM_CREATED, T.ROSTER_TEAM_MEMBER_ADDED, T.ROSTER_TEAM_MEMBER_REMOVED), "DutyTeam"),
    **dict.fromkeys(
        (
            T.ROSTER_SHIFT_CREATED,
            T.ROSTER_SHIFT_CHANGED,
            T.ROSTER_SHIFT_CANCELLED,
            T.ROSTER_CHECKED_IN,
            T.ROSTER_CHECKED_OUT,
        ),
        "DutyShift",
    ),
}
SUBJECT_DOC = "The global id of what changed; its type follows `type` (null where the API has no node for it)."
PEOPLE_DOC = "The usernames the event names: they see it even outside their grid scope."


@strawberry.interface(
    description="One committed change. `seq` rises by one per area of a tenant; reconnect with the last one you saw."
)
class Event(SharedPayload):
    seq: int
    type: EventType
    path: str | None = strawberry.field(description="The grid path it concerns (null: the whole tenant's).")
    at: datetime = strawberry.field(description="When it was committed.")
    renders: strawberry.Private[dict[Hashable, Any]] = dataclasses.field(default_factory=dict)


@strawberry.type(description="A case reported, moved along its loop, given an attachment or past a deadline.")
class CaseEvent(Event):
    case_id: strawberry.ID = strawberry.field(description="The case's global id.")
    number: str | None = strawberry.field(default=None, description="Null on CASE_ATTACHMENT_ADDED.")
    title: str | None = None
    state: CaseState | None = strawberry.field(
        default=None, description="Its state after the change; null on CASE_ATTACHMENT_ADDED."
    )
    version: int | None = strawberry.field(
        default=None, description="The version a transition needs next (null on CASE_ATTACHMENT_ADDED, CASE_OVERDUE)."
    )
    priority: CasePriority | None = None
    escalation: CaseEscalation | None = None
    assignee: str | None = None
    source: CaseSource | None = strawberry.field(default=None, description="How it was discovered (CASE_CREATED).")
    action: CaseAction | None = strawberry.field(default=None, description="The transition taken (CASE_TRANSITIONED).")
    from_state: CaseState | None = strawberry.field(default=None, description="The state it left (CASE_TRANSITIONED).")
    actor: str | None = strawberry.field(default=None, description="Who took the transition (CASE_TRANSITIONED).")
    attachment_id: strawberry.ID | None = strawberry.field(
        default=None, description="The attachment added (CASE_ATTACHMENT_ADDED)."
    )
    located: bool | None = strawberry.field(
        default=None, description="Whether the attachment carries a location (CASE_ATTACHMENT_ADDED)."
    )
    deadline: CaseDeadline | None = strawberry.field(default=None, description="The deadline passed (CASE_OVERDUE).")
    due: datetime | None = strawberry.field(default=None, description="When it was due (CASE_OVERDUE).")
    people: list[str] = strawberry.field(description=PEOPLE_DOC)


@strawberry.type(description="The grid, its party organisations and stations, and the joint units (units.*) on it.")
class GridEvent(Event):
    subject_id: strawberry.ID | None = strawberry.field(default=None, description=SUBJECT_DOC)
    code: str | None = strawberry.field(default=None, description="The new node's code (GRID_NODE_CREATED).")
    name: str | None = strawberry.field(
        default=None, description="The node's name (GRID_NODE_CREATED, GRID_NODE_UPDATED)."
    )
    level: int | None = strawberry.field(default=None, description="The new node's level (GRID_NODE_CREATED).")
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="The new node's parent (GRID_NODE_CREATED)."
    )
    from_path: str | None = strawberry.field(
        default=None, description="The subtree's path before (GRID_SUBTREE_MOVED)."
    )
    to_path: str | None = strawberry.field(default=None, description="Its path now (GRID_SUBTREE_MOVED).")
    nodes_moved: int | None = strawberry.field(default=None, description="The subtree's size (GRID_SUBTREE_MOVED).")
    node_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The node a party organisation or station was added to, or a unit paired with (null: unpaired).",
    )
    unit_id: strawberry.ID | None = strawberry.field(
        default=None, description="The joint unit of a resource, need, menu item or claimed project."
    )
    item_id: strawberry.ID | None = strawberry.field(
        default=None, description="The menu item ordered (UNITS_ORDER_PLACED)."
    )
    register: Register | None = strawberry.field(default=None, description="The register imported (UNITS_IMPORTED).")
    count: int | None = strawberry.field(default=None, description="Rows imported (UNITS_IMPORTED).")


@strawberry.type(description="Residents, households, party members and volunteers.")
class PeopleEvent(Event):
    subject_id: strawberry.ID | None = strawberry.field(default=None, description=SUBJECT_DOC)
    household_id: strawberry.ID | None = strawberry.field(
        default=None, description="PEOPLE_MEMBER_ADDED, _REMOVED, PEOPLE_HOME_VISIT_RECORDED."
    )
    resident_id: strawberry.ID | None = strawberry.field(default=None, description="PEOPLE_MEMBER_ADDED, _REMOVED.")
    member_id: strawberry.ID | None = strawberry.field(
        default=None, description="The party member a commitment, service, attendance or points entry is for."
    )
    team_id: strawberry.ID | None = strawberry.field(
        default=None, description="The volunteer's team (PEOPLE_VOLUNTEER_REGISTERED)."
    )
    colour: HouseholdColour | None = strawberry.field(
        default=None, description="Its colour now (PEOPLE_HOUSEHOLD_COLOUR_CHANGED)."
    )
    listed: bool | None = strawberry.field(
        default=None, description="On the board now or not (PEOPLE_LISTING_CHANGED)."
    )
    register: Register | None = strawberry.field(default=None, description="The register imported (PEOPLE_IMPORTED).")
    count: int | None = strawberry.field(default=None, description="Rows imported (PEOPLE_IMPORTED).")


@strawberry.type(description="Staff, duty teams and shifts: planned, changed, cancelled, checked in and out.")
class RosterEvent(Event):
    subject_id: strawberry.ID | None = strawberry.field(default=None, description=SUBJECT_DOC)
    node_id: strawberry.ID | None = strawberry.field(
        default=None, description="The grid node of the staff member, team or shift."
    )
    department_id: strawberry.ID | None = strawberry.field(
        default=None, description="His department (ROSTER_STAFF_ASSIGNED)."
    )
    staff_id: strawberry.ID | None = strawberry.field(
        default=None, description="The staff member on the shift, or added to or removed from the team."
    )
    station_id: strawberry.ID | None = strawberry.field(default=None, description="The shift's station, if any.")
    username: str | None = strawberry.field(default=None, description="Who the shift is for, when he signs in.")
    starts_at: datetime | None = strawberry.field(default=None, description="The shift's planned start (shift events).")
    ends_at: datetime | None = strawberry.field(default=None, description="The shift's planned end (shift events).")
    checked_at: datetime | None = strawberry.field(
        default=None, description="When he checked in or out (ROSTER_CHECKED_IN, _OUT)."
    )
    people: list[str] = strawberry.field(description=PEOPLE_DOC)


@strawberry.type(description="The street's key figures, sent when cases, roster or people moved.")
class FiguresEvent(Event):
    figures: KeyFigures = strawberry.field(description="The same figures as the `keyFigures` query's.")


@strawberry.type(description="A request between streets moved a step; both streets of the request hear it.")
class SharingEvent(Event):
    request_id: strawberry.ID = strawberry.field(description="The ShareRequest's global id.")
    status: ShareRequestStatus
    version: int


TenantEvent = Annotated[
    CaseEvent | GridEvent | PeopleEvent | RosterEvent | FiguresEvent | SharingEvent,
    strawberry.union("TenantEvent", description="One committed change, typed by its area (all implement Event)."),
]

E = TypeVar("E", bound=Enum)


def _member(of: type[E], value: Any) -> E | None:
    """The stored value as its enum; null (and logged) when this build does not know it, e.g.
    an old event replayed from the log after the set changed: one field, not the stream."""
    try:
        return None if value is None else of(value)
    except ValueError:
        log.warning("event value not in its enum", enum=of.__name__)
        return None


def _time(value: str | None) -> datetime | None:
    try:
        return None if value is None else datetime.fromisoformat(value)
    except ValueError:
        log.warning("event time unreadable")
        return None


def _gid(type_name: str, db_id: Any) -> strawberry.ID | None:
    """A row id as the API's global id of `type_name` (graphql/core/ids.py reads it back)."""
    return None if db_id is None else strawberry.ID(to_base64(type_name, db_id))


def _case(kind: EventType, p: dict[str, Any], base: dict[str, Any]) -> CaseEvent:
    return CaseEvent(
        **base,
        case_id=strawberry.ID(to_base64("Case", p["id"])),
        number=p.get("number"),
        title=p.get("title"),
        state=_member(CaseState, p.get("state")),
        version=p.get("version"),
        priority=_member(CasePriority, p.get("priority")),
        escalation=_member(CaseEscalation, p.get("escalation")),
        assignee=p.get("assignee"),
        source=_member(CaseSource, p.get("source")),
        action=_member(CaseAction, p.get("action")),
        from_state=_member(CaseState, p.get("fromState")),
        actor=p.get("actor"),
        attachment_id=_gid("CaseAttachment", p.get("attachmentId")),
        located=p.get("located"),
        deadline=_member(CaseDeadline, p.get("deadline")),
        due=_time(p.get("due")),
        people=p.get("people", []),
    )


def _grid(kind: EventType, p: dict[str, Any], base: dict[str, Any]) -> GridEvent:
    return GridEvent(
        **base,
        subject_id=_subject(kind, p),
        code=p.get("code"),
        name=p.get("name"),
        level=p.get("level"),
        parent_id=_gid("GridNode", p.get("parentId")),
        from_path=p.get("from"),
        to_path=p.get("to"),
        nodes_moved=p.get("nodes"),
        node_id=_gid("GridNode", p.get("nodeId")),
        unit_id=_gid("JointUnit", p.get("unitId")),
        item_id=_gid("ServiceItem", p.get("itemId")),
        register=_member(Register, p.get("register")),
        count=p.get("count"),
    )


def _people(kind: EventType, p: dict[str, Any], base: dict[str, Any]) -> PeopleEvent:
    return PeopleEvent(
        **base,
        subject_id=_subject(kind, p),
        household_id=_gid("Household", p.get("householdId")),
        resident_id=_gid("Resident", p.get("residentId")),
        member_id=_gid("PartyMember", p.get("memberId")),
        team_id=_gid("VolunteerTeam", p.get("teamId")),
        colour=_member(HouseholdColour, p.get("colour")),
        listed=p.get("listed"),
        register=_member(Register, p.get("register")),
        count=p.get("count"),
    )


def _roster(kind: EventType, p: dict[str, Any], base: dict[str, Any]) -> RosterEvent:
    return RosterEvent(
        **base,
        subject_id=_subject(kind, p),
        node_id=_gid("GridNode", p.get("nodeId")),
        department_id=_gid("Department", p.get("departmentId")),
        staff_id=_gid("SinkingStaff", p.get("staffId")),
        station_id=_gid("ServiceStation", p.get("stationId")),
        username=p.get("username"),
        starts_at=_time(p.get("startsAt")),
        ends_at=_time(p.get("endsAt")),
        checked_at=_time(p.get("at")),
        people=p.get("people", []),
    )


def _figures(kind: EventType, p: dict[str, Any], base: dict[str, Any]) -> FiguresEvent:
    return FiguresEvent(**base, figures=KeyFigures.from_figures(p))


def _subject(kind: EventType, p: dict[str, Any]) -> strawberry.ID | None:
    type_name = SUBJECTS.get(kind)
    return None if type_name is None else _gid(type_name, p.get("id"))


def _sharing(kind: EventType, p: dict[str, Any], base: dict[str, Any]) -> SharingEvent:
    return SharingEvent(
        **base,
        request_id=strawberry.ID(to_base64("ShareRequest", p["requestId"])),
        status=ShareRequestStatus(p["status"]),
        version=p["version"],
    )


# By the topic's area (platform/events.py): units.* events go out on the grid topic.
BUILDERS: dict[str, Callable[[EventType, dict[str, Any], dict[str, Any]], TenantEvent]] = {
    "cases": _case,
    "grid": _grid,
    "people": _people,
    "roster": _roster,
    "figures": _figures,
    "sharing": _sharing,
}


def typed_event(event: HubEvent) -> TenantEvent | None:
    """The hub event as its area's type: one object per event, whichever subscriber asks, so
    that its rendering is shared (graphql/core/fanout.py). None for a type this build does not
    know (a newer replica recorded it during a rolling deploy): subscribers skip it rather than
    lose their stream over it."""
    if Event in event.memo:
        return event.memo[Event]
    typed: TenantEvent | None
    try:
        kind = EventType(event.type)
    except ValueError:
        log.warning("event of an unknown type skipped", type=event.type, seq=event.seq)
        typed = None
    else:
        base = {"seq": event.seq, "type": kind, "path": event.path, "at": datetime.fromisoformat(event.at)}
        typed = BUILDERS[event.topic.rsplit(".", 1)[1]](kind, event.payload, base)
    event.memo[Event] = typed
    return typed
