"""GB 11643 ID-card numbers: checksum, birth date and sex read from the number, and masking."""

from datetime import date

import pytest

from redgrid.tenants.people import idcard
from redgrid.tenants.people.privacy import mask_id_number, mask_phone

TODAY = date(2025, 6, 1)


def test_the_standards_example_has_check_character_x():
    card = idcard.parse("11010519491231002X", TODAY)
    assert card == idcard.IdCard("11010519491231002X", date(1949, 12, 31), "female")


def test_lower_case_x_spaces_and_full_width_characters_are_normalised():
    assert idcard.parse(" 110105 19491231 002x", TODAY).number == "11010519491231002X"
    # As typed with a Chinese input method in full-width mode, ideographic space included.
    assert idcard.parse("１１０１０５\u3000１９４９１２３１００２ｘ", TODAY).number == "11010519491231002X"


def test_check_character_over_the_weights():
    # 4*7+4*9+0*10+5*5+2*8+4*4+1*2+8*1+8*6+0*3+0*7+1*9+0*10+1*5+0*8+0*4+1*2 = 195; 195 % 11 = 8 → "4"
    assert idcard.check_char("44052418800101001") == "4"
    assert idcard.check_char("32011519500301001") == "8"


def test_check_character_equals_the_standards_weighted_sum_for_every_digit_in_every_place():
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643's table, as printed

    def by_the_standard(first_17: str) -> str:
        return "10X98765432"[sum(int(d) * w for d, w in zip(first_17, weights, strict=True)) % 11]

    for base in ("00000000000000000", "44052418800101001", "99999999999999999"):
        for i in range(17):
            for digit in "0123456789":
                number = base[:i] + digit + base[i + 1 :]
                assert idcard.check_char(number) == by_the_standard(number), number


@pytest.mark.parametrize("sequence, sex", [(1, "male"), (2, "female"), (999, "male"), (0, "female")])
def test_sex_is_the_parity_of_the_17th_digit(sequence, sex):
    number = idcard.make("320115", date(1950, 3, 1), sequence)
    assert idcard.parse(number, TODAY).sex == sex


@pytest.mark.parametrize(
    "number, reason",
    [
        ("11010519491231002", "18 characters"),
        ("1101051949123100XX", "18 characters"),
        ("110105194912310021", "check character"),
        ("110105194913310027", "not a birth date"),  # month 13, valid checksum
        ("110105210001010014", "out of range"),  # born in 2100
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "18 characters"),  # Arabic-Indic digits, which \d would take
        ("¹¹⁰¹⁰⁵¹⁹⁴⁹¹²³¹⁰⁰²X", "18 characters"),  # superscripts: no one types them for digits
        ("11010519491231002X\n", "18 characters"),  # a regular expression's $ would take it
        ("1101051949-1231002X", "18 characters"),
    ],
)
def test_invalid_numbers_say_why(number, reason):
    if reason in ("not a birth date", "out of range"):
        number = number[:17] + idcard.check_char(number[:17])
    with pytest.raises(ValueError, match=reason):
        idcard.parse(number, TODAY)


def test_every_single_digit_typo_is_caught():
    number = idcard.make("320115", date(1948, 2, 29), 37)
    for i in range(17):
        for digit in "0123456789":
            typo = number[:i] + digit + number[i + 1 :]
            if typo != number:
                with pytest.raises(ValueError):
                    idcard.parse(typo, TODAY)


def test_masks():
    assert mask_id_number("11010519491231002X") == "110105****002X"
    assert mask_phone("13800000001") == "138****0001"
    assert mask_phone("025-52123456") == "025****3456"
    assert mask_phone("12345") == "****45"
    assert mask_phone("") == ""
