"""The data types without HTTP: canonical destinations parse back to the same data (issue 4)."""
import colander
import pytest

from exaroutes.imaging.design import check_design
from exaroutes.errors import ApiError
from exaroutes.plugins.interfaces import DataType
from exaroutes.plugins.registry import BUILTIN_DATATYPES, BUILTIN_RENDERERS, DATATYPES, RENDERERS, load_plugins
from tests.helpers.datatype_cases import CASES

DATATYPES_BY_NAME = load_plugins(DATATYPES, BUILTIN_DATATYPES)


def test_the_eight_builtins_come_through_the_entry_points():
    assert {"url", "text", "email", "phone", "sms", "wifi", "vcard", "geo"} == BUILTIN_DATATYPES
    for datatype in DATATYPES_BY_NAME.values():
        assert isinstance(datatype, DataType) and datatype.schema.name == "data"


@pytest.mark.parametrize("case", [case.param() for case in CASES])
def test_the_destination_parses_back_to_the_same_data(case):
    """Same data up to spelling (`+1 555` reads back as `+1555`, `hidden: false` as no `hidden`)."""
    datatype = DATATYPES_BY_NAME[case.data_type]
    destination = datatype.destination(datatype.schema.deserialize(case.data))
    again = datatype.from_destination(destination)
    assert datatype.destination(again) == destination and datatype.payload(again) == case.payload


@pytest.mark.parametrize("data_type,text,data", [
    ("email", "mailto:a@example.com?subject=a%20b&body=x%0D%0Ay", {"to": "a@example.com", "subject": "a b",
                                                                    "body": "x\ny"}),
    ("email", "mailto:a@example.com?subject=1+1", {"to": "a@example.com", "subject": "1+1"}),
    ("sms", "SMSTO:+123:Hi:there", {"number": "+123", "message": "Hi:there"}),
    ("sms", "sms:+123?body=a%2Cb", {"number": "+123", "message": "a,b"}),
    ("wifi", "WIFI:T:WEP;S:\\\\;P:abcde;H:TRUE;;", {"ssid": "\\", "password": "abcde", "encryption": "WEP",
                                                     "hidden": True}),
    ("wifi", "WIFI:S:open;;", {"ssid": "open", "encryption": "nopass"}),
    ("vcard", "BEGIN:VCARD\nVERSION:3.0\nN:Doe;Jane;;;\nNOTE:folded\r\n  line\\, ok\nEND:VCARD",
     {"firstName": "Jane", "lastName": "Doe", "note": "folded line, ok"}),
    ("geo", "geo:48.2,16.3;crs=wgs84", {"latitude": 48.2, "longitude": 16.3}),
])
def test_string_data_in_the_canonical_form(data_type, text, data):
    assert DATATYPES_BY_NAME[data_type].schema.deserialize(text) == data


@pytest.mark.parametrize("data_type,text", [
    ("email", "mailto:a@example.com?cc=b@example.com"),
    ("email", "mailto:a@example.com?subject=%FF"),
    ("sms", "sms:+123?body=a&body=b"),
    ("wifi", "WIFI:T:WPA;S:x;P:12345678;X:1;;"),
    ("wifi", "WIFI:T:WPA;S:x;P:12345678;H:maybe;;"),
    ("vcard", "BEGIN:VCARD\r\nVERSION:4.0\r\nN:Doe;Jane;;;\r\nEND:VCARD\r\n"),
    ("vcard", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nTEL:1\r\nTEL:2\r\nEND:VCARD\r\n"),
    ("geo", "geo:48.2,16.3;crs=utm"),
])
def test_string_data_that_is_not_the_canonical_form_is_invalid(data_type, text):
    with pytest.raises(colander.Invalid):
        DATATYPES_BY_NAME[data_type].schema.deserialize(text)


@pytest.mark.parametrize("data_type,data,name", [
    ("wifi", {"ssid": "x" * 33, "encryption": "nopass"}, "[3].data.ssid"),
    ("geo", {"latitude": 91, "longitude": 0}, "[3].data.latitude"),
    ("vcard", {"firstName": "A", "lastName": "B", "emial": "typo"}, "[3].data.emial"),
])
def test_bulk_items_name_the_nested_field_with_their_index(data_type, data, name):
    """Bulk validates each item with check_design(prefix="[i]."), like create and static."""
    registry = {"datatypes": DATATYPES_BY_NAME, "renderers": load_plugins(RENDERERS, BUILTIN_RENDERERS)}
    body = {"dataType": data_type, "data": data, "returnType": "png"}
    with pytest.raises(ApiError) as raised:
        check_design(registry, body, prefix="[3].")
    assert raised.value.status == 422 and [e["name"] for e in raised.value.errors] == [name]


def test_unknown_keys_are_reported_with_the_other_problems():
    with pytest.raises(colander.Invalid) as raised:
        DATATYPES_BY_NAME["wifi"].schema.deserialize({"sssid": "typo", "encryption": "WPA"})
    assert raised.value.asdict() == {"data.ssid": "Required", "data.sssid": "unknown field"}
