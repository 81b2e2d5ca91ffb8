"""Phone numbers as the registers accept them: one rule for every register that stores one."""

from __future__ import annotations

import re

from redgrid.platform.errors import UserError

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^(0\d{2,3}-?)?\d{7,8}(-\d{1,6})?$")  # 025-52123456, extension optional


def phone_error(phone: str, field: str = "phone") -> UserError | None:
    """None for an empty number, a mobile or a landline; the typed error otherwise."""
    if not phone or MOBILE.match(phone) or LANDLINE.match(phone):
        return None
    return UserError(field, "INVALID_PHONE", "a mobile number (1[3-9] and 9 digits) or a landline (digits and '-')")
