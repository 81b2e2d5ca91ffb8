"""A district's line departments (区职能部门) and their staff: the district admin makes them and
says who works for which; a street refers the cases it cannot handle to one of its own
district's (tenants/cases/service.py, action `refer`), and the department's staff work them.

A staff member is a Keycloak user with the `dept-staff` role, his district and no tenant; the
member row here is what ties him to his department (platform/tenancy.py reads it per request)."""

from __future__ import annotations

import re

from redgrid.platform.context import Forbidden, RequestContext
from redgrid.platform.database import unique_or
from redgrid.platform.errors import InvalidInput, UserError, text_errors
from redgrid.platform.models import District, DistrictDepartment, DistrictDepartmentMember
from redgrid.tenants.tenancy import SLUG, Created

# Keycloak's usernames are lower case; these are the characters the realm's users have.
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,127}$")


async def _admins_district(ctx: RequestContext) -> District:
    """The district of a district admin, as his token names it."""
    identity = ctx.require_role("district-admin")
    district = await District.get_or_none(slug=identity.district_slug) if identity.district_slug else None
    if district is None:
        raise Forbidden("this needs a district admin of a provisioned district")
    return district


async def create_department(ctx: RequestContext, slug: str, name: str) -> Created[DistrictDepartment]:
    """District admins: a department of their own district (idempotent by slug)."""
    district = await _admins_district(ctx)
    errors = text_errors("name", name, 200, code="INVALID_NAME")
    if not SLUG.match(slug):
        errors.append(UserError("slug", "INVALID_SLUG", "2 to 63 lower-case letters, digits or '-', from a letter"))
    if errors:
        raise InvalidInput(*errors)
    department, created = await DistrictDepartment.get_or_create(
        district=district, slug=slug, defaults={"name": name.strip()}
    )
    return Created(department, created)


async def _managed(ctx: RequestContext, department_id: int) -> DistrictDepartment:
    """A department of the district admin's own district; NOT_FOUND for any other."""
    district = await _admins_district(ctx)
    department = await DistrictDepartment.get_or_none(id=department_id, district_id=district.id)
    if department is None:
        raise InvalidInput(UserError("departmentId", "NOT_FOUND", "no such department in your district"))
    return department


async def add_member(ctx: RequestContext, department_id: int, username: str) -> DistrictDepartment:
    """District admins: `username` works for the department from his next request on."""
    if not USERNAME.match(username):
        raise InvalidInput(UserError("username", "INVALID_USERNAME", "a Keycloak username: lower case, at most 128"))
    department = await _managed(ctx, department_id)
    if await DistrictDepartmentMember.filter(department_id=department.id, username=username).exists():
        return department
    async with unique_or(UserError("username", "TAKEN", "that user already works for a department")):
        await DistrictDepartmentMember.create(department=department, username=username)
    return department


async def remove_member(ctx: RequestContext, department_id: int, username: str) -> DistrictDepartment:
    """District admins: `username` no longer works for the department (a socket he holds keeps
    its events until it reconnects)."""
    department = await _managed(ctx, department_id)
    await DistrictDepartmentMember.filter(department_id=department.id, username=username).delete()
    return department


async def visible_departments(ctx: RequestContext) -> list[DistrictDepartment]:
    """The departments the caller may see, by slug: his district's (district admin), those his
    street may refer to (a tenant-wide secretary), or his own (its staff)."""
    identity = ctx.require_user()
    query = DistrictDepartment.all().order_by("slug")
    if ctx.department_id is not None:
        return await query.filter(id=ctx.department_id)
    if identity.has_any("district-admin") and identity.district_slug:
        return await query.filter(district__slug=identity.district_slug)
    if ctx.tenant is not None and identity.has_any("secretary"):
        return await query.filter(district_id=ctx.tenant.district_id)  # type: ignore[attr-defined]
    raise Forbidden("district departments are seen by their district admin, their streets' secretaries and staff")


async def department_by_id(ctx: RequestContext, department_id: int) -> DistrictDepartment | None:
    return next((d for d in await visible_departments(ctx) if d.id == department_id), None)


async def members(ctx: RequestContext, department_id: int) -> list[str]:
    """Its staff's usernames, for its district admin and its own staff; nobody else."""
    identity = ctx.require_user()
    if ctx.department_id != department_id:
        mine = identity.has_any("district-admin") and identity.district_slug is not None
        if not (mine and await DistrictDepartment.exists(id=department_id, district__slug=identity.district_slug)):
            raise Forbidden("a department's staff are seen by its district admin and its own staff")
    names = await DistrictDepartmentMember.filter(department_id=department_id).values_list("username", flat=True)
    return sorted(str(n) for n in names)
