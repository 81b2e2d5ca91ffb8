"""Every register that travels as a spreadsheet, by the name the API and the CLI use."""

from __future__ import annotations

from redgrid.tenants.imports import ImportSpec
from redgrid.tenants.people.registers import HouseholdsRegister, PartyMembersRegister, ResidentsRegister
from redgrid.tenants.units.registers import UnitsRegister

REGISTERS: dict[str, ImportSpec] = {
    spec.register: spec for spec in (ResidentsRegister(), HouseholdsRegister(), PartyMembersRegister(), UnitsRegister())
}
