"""Country codes: the ISO 3166-1 alpha-2 codes a region or a snapshot may name.

The list is the 249 officially assigned codes (ISO/TC 46 N1108, 2023-04-05), as the public
domain table ``iso3166.tab`` of the IANA time zone database gives them. A code outside it is
an input error: ``UK`` is the classic slip (the United Kingdom is ``GB``), and a code nothing
recognises would make a region hold nowhere, silently.
"""

from __future__ import annotations

# Read as text: a table of 249 codes is easier to check against its source than a literal.
_TABLE = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRIES: frozenset[str] = frozenset(_TABLE.split())

# Codes people write that ISO 3166-1 assigns to no country, and the code they mean.
_MEANT = {
    "UK": "GB",  # the United Kingdom (UK is only reserved)
    "EL": "GR",  # Greece, as the EU institutions abbreviate it
    "EU": None,  # the European Union is no country: a region of countries
}


def is_country(value: object) -> bool:
    """Whether ``value`` is an assigned ISO 3166-1 alpha-2 code (non-strings pass: the schema's
    ``type`` reports them)."""
    return not isinstance(value, str) or value in COUNTRIES


def country_problem(value: str) -> str:
    """Why ``value`` is not a country code, and what to write instead."""
    message = f"{value!r} is not an ISO 3166-1 alpha-2 country code"
    upper = value.upper()
    if upper != value and upper in COUNTRIES:
        return f"{message}: write it in capitals, {upper!r}"
    if upper in _MEANT:
        meant = _MEANT[upper]
        if meant is None:
            return f"{message}: list its countries, or name a region of vocabulary.regions"
        return f"{message}; did you mean {meant!r}?"
    return f"{message}, e.g. 'DE', 'GB' or 'US'"
