"""The `epc` data type, installed as a separate distribution and found through its entry point only.

It imports nothing from ExaRoutes but the plugin toolkit, and proves the data-type contract with the
test class ExaRoutes ships (`exaroutes.testing.DataTypeContract`), plus what is particular to EPC."""
from importlib.metadata import entry_points

import pytest

from exaroutes.testing import DataTypeContract, decode_image, raster, static_image_bytes

RED_CROSS = {"name": "Red Cross of Belgium", "iban": "BE72 0000 0000 1616", "bic": "BPOTBEB1", "amount": 1,
             "purpose": "CHAR", "text": "Urgency fund", "information": "Sample EPC QR code"}
LONG_NAME = "N" * 69 + "é"            # 70 characters, the maximum
LONG_TEXT = "Invoice 2026-001; thanks! " * 5 + "x" * 10     # 140 characters, the maximum

# (data, the payload written out by hand from EPC069-12)
CASES = [
    pytest.param(RED_CROSS, "BCD\n002\n1\nSCT\nBPOTBEB1\nRed Cross of Belgium\nBE72000000001616\nEUR1.00\nCHAR\n\n"
                            "Urgency fund\nSample EPC QR code", id="all-fields"),
    pytest.param({"name": "Wikimedia Fördergesellschaft", "iban": "DE33100205000001194700", "bic": ""},
                 "BCD\n002\n1\nSCT\n\nWikimedia Fördergesellschaft\nDE33100205000001194700", id="minimal"),
    pytest.param({"name": "Zoë Łukasz 東京 🎉", "iban": "at61 1904 3002 3457 3201", "amount": 999999999.99,
                  "reference": "RF18539007547034"},
                 "BCD\n002\n1\nSCT\n\nZoë Łukasz 東京 🎉\nAT611904300234573201\nEUR999999999.99\n\nRF18539007547034",
                 id="unicode-reference-max-amount"),
    pytest.param({"name": LONG_NAME, "iban": "NL91ABNA0417164300", "bic": "ABNANL2AXXX", "amount": 0.01,
                  "purpose": "GDDS", "text": LONG_TEXT},
                 f"BCD\n002\n1\nSCT\nABNANL2AXXX\n{LONG_NAME}\nNL91ABNA0417164300\nEUR0.01\nGDDS\n\n{LONG_TEXT}",
                 id="max-lengths"),
    pytest.param("BCD\n001\n1\nSCT\nBPOTBEB1\nRed Cross\nBE72000000001616\nEUR12.5",
                 "BCD\n002\n1\nSCT\nBPOTBEB1\nRed Cross\nBE72000000001616\nEUR12.50", id="payload-as-string"),
]

BAD = [
    ({**RED_CROSS, "iban": "BE72 0000 0000 1617"}, "data.iban"),
    ({**RED_CROSS, "iban": "hello"}, "data.iban"),
    ({**RED_CROSS, "bic": "BPOT"}, "data.bic"),
    ({**RED_CROSS, "amount": 0}, "data.amount"),
    ({**RED_CROSS, "amount": 12.345}, "data.amount"),
    ({**RED_CROSS, "amount": 1e9}, "data.amount"),
    ({**RED_CROSS, "amount": "12"}, "data.amount"),
    ({**RED_CROSS, "purpose": "char"}, "data.purpose"),
    ({**RED_CROSS, "reference": "RF18539007547034"}, "data.text"),
    ({"iban": "BE72000000001616"}, "data.name"),
    ({**RED_CROSS, "name": "x" * 71}, "data.name"),
    ({**RED_CROSS, "name": "two\nlines"}, "data.name"),
    ({**RED_CROSS, "iabn": "typo"}, "data.iabn"),
    ({**RED_CROSS, "name": LONG_NAME, "bic": "ABNANL2AXXX", "text": LONG_TEXT, "information": "i" * 70}, "data"),
    ("BCD\n002\n2\nSCT\n\nLatin-1\nBE72000000001616", "data"),
]


def read_payload(payload):
    """EPC069-12 by its rules: LF-separated lines in a fixed order."""
    lines = payload.split("\n")
    assert lines[:4] == ["BCD", "002", "1", "SCT"] and len(lines) <= 12 and len(payload.encode()) <= 331
    return dict(zip(["bic", "name", "iban", "amount", "purpose", "reference", "text", "information"], lines[4:]))


def test_the_plugin_is_registered_by_its_own_distribution():
    (epc,) = [ep for ep in entry_points(group="exaroutes.datatypes") if ep.name == "epc"]
    assert epc.dist.name == "exaroutes-epc" and epc.value == "exaroutes_epc:EpcType"


def test_the_api_lists_it_among_the_installed_types(testapp, auth):
    error = testapp.post_json("/api/qr/static", {"dataType": "nope", "data": "x"}, headers=auth, status=422).json
    assert "epc" in error["errors"][0]["description"]


@pytest.mark.parametrize("data,payload", CASES)
def test_static_epc_code_decodes_to_the_payload(testapp, auth, data, payload):
    for return_type, media_type in (("png", "image/png"), ("svg", "image/svg+xml")):
        body = {"dataType": "epc", "data": data, "returnType": return_type}
        answer = testapp.post_json("/api/qr/static", body, headers=auth).json
        decoded = decode_image(raster(static_image_bytes(answer), media_type))
        assert len(decoded) == 1 and decoded[0].encode("utf-8") == payload.encode("utf-8")
    fields = read_payload(payload)
    if isinstance(data, dict):
        assert fields["name"] == data["name"] and fields["iban"] == data["iban"].replace(" ", "").upper()
        assert fields.get("text", "") == data.get("text", "")


@pytest.mark.parametrize("data,field", BAD)
def test_bad_epc_data_is_422_naming_the_field(testapp, auth, count_rows, data, field):
    before = count_rows()
    for path in ("/api/qr/static", "/api/qr/codes"):
        error = testapp.post_json(path, {"dataType": "epc", "data": data}, headers=auth, status=422).json
        assert error["errors"][0]["name"] == field, error
    assert count_rows() == before


def test_dynamic_epc_code_shows_the_transfer_and_takes_a_new_destination(testapp, auth):
    code = testapp.post_json("/api/qr/codes", {"dataType": "epc", "data": {**RED_CROSS, "amount": 12.5}},
                             headers=auth).json
    assert code["destination"].startswith("BCD\n002\n1\nSCT\nBPOTBEB1\n")
    page = testapp.get(f"/r/{code['id']}", status=200)
    assert page.content_type == "text/html" and "script-src 'self'" in page.headers["Content-Security-Policy"]
    for shown in ("Red Cross of Belgium", "BE72 0000 0000 1616", "BPOTBEB1", "12.50", "Urgency fund"):
        assert f">{shown}</pre>" in page.text
    new = "BCD\n002\n1\nSCT\n\nRed Cross\nDE89370400440532013000\nEUR5.00"
    updated = testapp.put_json(f"/api/qr/codes/{code['id']}", {"destination": new}, headers=auth).json
    assert updated["destination"] == new
    assert ">DE89 3704 0044 0532 0130 00</pre>" in testapp.get(f"/r/{code['id']}").text
    error = testapp.put_json(f"/api/qr/codes/{code['id']}", {"destination": "BCD\n002"}, headers=auth,
                             status=422).json
    assert error["errors"][0]["name"] == "destination"


class TestEpcContract(DataTypeContract):
    """The promises every data type keeps: payloads decode, bad data is a 422 naming the field, a scan
    answers the transfer page and a destination round-trips."""

    datatype = "epc"
    valid = [case.values for case in CASES]
    invalid = BAD

    def expected_scan(self, data):
        if isinstance(data, str):
            return "page", ["Red Cross", "BE72 0000 0000 1616"]
        return "page", [f">{data['name']}</pre>"]
