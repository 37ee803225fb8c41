"""The case tables of the eight built-in data types: what a client sends and what the code must say.

Every expected payload is written out by hand from the format's rules (RFC 6068 mailto, RFC 3966 tel,
ZXing's SMSTO and WIFI, RFC 2426 vCard 3.0, RFC 5870 geo), never computed by the code under test.
"""
from dataclasses import dataclass, field

import pytest

CJK_SSID = "東京カフェ" + "Wi-Fi!!"   # 5 × 3 bytes + 7 = 22 bytes
SSID_32_BYTES = "東京" * 5 + "ab"     # 30 + 2 = 32 bytes, the maximum
WPA_63 = "Aa1;,:\\\"" * 7 + "Aa1;,:\\"   # 63 printable ASCII characters, every special one included
HEX_64 = "0123456789abcdef" * 4


@dataclass(frozen=True)
class Case:
    id: str
    data_type: str
    data: object
    payload: str
    style: dict = field(default_factory=dict)

    def param(self):
        return pytest.param(self, id=self.id)


CASES = [
    Case("url", "url", "https://example.com/a?b=c&d=é", "https://example.com/a?b=c&d=%C3%A9"),
    # an IRI is encoded (and redirects) as its URI: IDNA 2008 host, UTF-8 percent-encoding (exaroutes.uris)
    Case("url-iri-cjk-emoji", "url", "https://例え.jp/東京?q=🎉#Grüße",
         "https://xn--r8jz45g.jp/%E6%9D%B1%E4%BA%AC?q=%F0%9F%8E%89#Gr%C3%BC%C3%9Fe"),
    Case("text-unicode-specials", "text", "Grüße, 東京, 🎉 and ; : \\ \"quotes\" <b>&amp;</b>\nline 2",
         "Grüße, 東京, 🎉 and ; : \\ \"quotes\" <b>&amp;</b>\nline 2"),
    Case("text-max-at-L", "text", "x" * 2953, "x" * 2953, {"errorCorrection": "L", "size": 1024, "margin": 1}),
    # email: mailto, percent-encoded UTF-8, %20 for a space, %0D%0A for a line break
    Case("email-address-only", "email", "anna@example.com", "mailto:anna@example.com"),
    Case("email-unicode-specials", "email",
         {"to": "zoë@exämple.de", "subject": "Grüße & 東京 🎉?", "body": "Line 1\nLine 2: 100% #1 + a=b"},
         "mailto:zo%C3%AB@xn--exmple-cua.de?subject=Gr%C3%BC%C3%9Fe%20%26%20%E6%9D%B1%E4%BA%AC%20%F0%9F%8E%89%3F"
         "&body=Line%201%0D%0ALine%202%3A%20100%25%20%231%20%2B%20a%3Db"),
    Case("email-empty-optionals", "email", {"to": "a.b+tag@example.co", "subject": "", "body": ""},
         "mailto:a.b+tag@example.co"),
    # phone: tel: with the visual separators dropped
    Case("phone-separators", "phone", "+49 (30) 1234-5678", "tel:+493012345678"),
    Case("phone-short", "phone", "112", "tel:112"),
    Case("phone-15-digits", "phone", "+123456789012345", "tel:+123456789012345"),
    # sms: SMSTO:number:message, the message verbatim (everything after the second colon)
    Case("sms-unicode-specials", "sms", {"number": "+44 7700 900123", "message": "Hi: ok; 50% 😀 東京, \\ \""},
         "SMSTO:+447700900123:Hi: ok; 50% 😀 東京, \\ \""),
    Case("sms-no-message", "sms", {"number": "+1 555 0100"}, "SMSTO:+15550100:"),
    Case("sms-empty-message", "sms", {"number": "123", "message": ""}, "SMSTO:123:"),
    Case("sms-as-string", "sms", "+33 1 23 45 67 89", "SMSTO:+33123456789:"),
    # wifi: \ ; , : " escaped with a backslash, ;; at the end
    Case("wifi-all-specials", "wifi",
         {"ssid": 'My;Net,:"\\ Café', "password": 'p\\a;s,s:w"ord', "encryption": "WPA", "hidden": True},
         'WIFI:T:WPA;S:My\\;Net\\,\\:\\"\\\\ Café;P:p\\\\a\\;s\\,s\\:w\\"ord;H:true;;'),
    Case("wifi-cjk-ssid", "wifi", {"ssid": CJK_SSID, "password": "correct horse", "encryption": "WPA"},
         f"WIFI:T:WPA;S:{CJK_SSID};P:correct horse;;"),
    Case("wifi-open", "wifi", {"ssid": "Guest 😀", "encryption": "nopass", "hidden": False},
         "WIFI:T:nopass;S:Guest 😀;;"),
    Case("wifi-wep-13", "wifi", {"ssid": "old", "password": "abc;def,ghi:j", "encryption": "WEP"},
         "WIFI:T:WEP;S:old;P:abc\\;def\\,ghi\\:j;;"),
    Case("wifi-max-lengths", "wifi", {"ssid": SSID_32_BYTES, "password": WPA_63, "encryption": "WPA"},
         f"WIFI:T:WPA;S:{SSID_32_BYTES};P:" + 'Aa1\\;\\,\\:\\\\\\"' * 7 + "Aa1\\;\\,\\:\\\\;;"),
    Case("wifi-hex-psk", "wifi", {"ssid": "lab", "password": HEX_64, "encryption": "WPA"},
         f"WIFI:T:WPA;S:lab;P:{HEX_64};;"),
    Case("wifi-as-string", "wifi", "WIFI:S:a\\;b;T:WPA;P:12345678;;", "WIFI:T:WPA;S:a\\;b;P:12345678;;"),
    # vcard: RFC 2426 text escaping (\\ \, \; \n), CRLF after every line
    Case("vcard-all-fields", "vcard",
         {"firstName": "Zoë", "lastName": "O'Brien; Jr, \\x", "organization": "ACME; Inc, 東京",
          "title": "Boss\\CEO 🎉", "phone": "+49 30 1234", "email": "zoe@example.com",
          "url": "https://example.com/a;b,c", "address": "Main St 1\nBerlin; DE", "note": "line1\nline2 😀"},
         "BEGIN:VCARD\r\nVERSION:3.0\r\nN:O'Brien\\; Jr\\, \\\\x;Zoë;;;\r\nFN:Zoë O'Brien\\; Jr\\, \\\\x\r\n"
         "ORG:ACME\\; Inc\\, 東京\r\nTITLE:Boss\\\\CEO 🎉\r\nTEL:+49 30 1234\r\n"
         "EMAIL;TYPE=INTERNET:zoe@example.com\r\nURL:https://example.com/a\\;b\\,c\r\n"
         "ADR:;;Main St 1\\nBerlin\\; DE;;;;\r\nNOTE:line1\\nline2 😀\r\nEND:VCARD\r\n"),
    Case("vcard-minimal-empty-optionals", "vcard",
         {"firstName": "李", "lastName": "小龍", "organization": "", "note": ""},
         "BEGIN:VCARD\r\nVERSION:3.0\r\nN:小龍;李;;;\r\nFN:李 小龍\r\nEND:VCARD\r\n"),
    # geo: RFC 5870 plain decimals, no exponent
    Case("geo-vienna", "geo", {"latitude": 48.2082, "longitude": 16.3738}, "geo:48.2082,16.3738"),
    Case("geo-extremes-altitude", "geo", {"latitude": -90, "longitude": 180, "altitude": 0.00001},
         "geo:-90,180,0.00001"),
    Case("geo-as-uri", "geo", "geo:35.6895,139.6917,40", "geo:35.6895,139.6917,40"),
]

#: (data type, data, the field the 422 must name)
BAD_DATA = [
    ("url", "javascript:alert(1)", "data"),
    ("url", "data:text/html,<b>x</b>", "data"),
    ("url", "/relative/path", "data"),
    ("text", "", "data"),
    ("text", {"text": "x"}, "data"),
    ("email", {"subject": "no address"}, "data.to"),
    ("email", {"to": "not-an-address"}, "data.to"),
    ("email", "two@example.com,three@example.com", "data.to"),
    ("email", {"to": "a@" + "x" * 64 + ".com"}, "data.to"),
    ("email", {"to": "a@example.com", "subjekt": "typo"}, "data.subjekt"),
    ("email", {"to": "a@example.com", "subject": "two\nlines"}, "data.subject"),
    ("email", ["a@example.com"], "data"),
    ("phone", "+49 30 CALL-ME", "data"),
    ("phone", "12", "data"),
    ("phone", "+٤٩ ٣٠ ١٢٣٤٥", "data"),            # Arabic-Indic digits: not what tel: carries
    ("phone", "+1234567890123456", "data"),
    ("phone", 4930123456, "data"),
    ("sms", {"message": "no number"}, "data.number"),
    ("sms", {"number": "0800-FLOWERS"}, "data.number"),
    ("sms", {"number": "123", "message": 5}, "data.message"),
    ("wifi", {"ssid": "x" * 33, "encryption": "nopass"}, "data.ssid"),
    ("wifi", {"ssid": "東京" * 6, "encryption": "nopass"}, "data.ssid"),
    ("wifi", {"ssid": "net", "encryption": "WPA"}, "data.password"),
    ("wifi", {"ssid": "net", "password": "short", "encryption": "WPA"}, "data.password"),
    ("wifi", {"ssid": "net", "password": "x" * 64, "encryption": "WPA"}, "data.password"),
    ("wifi", {"ssid": "net", "password": "secret12", "encryption": "nopass"}, "data.password"),
    ("wifi", {"ssid": "net", "password": "123456", "encryption": "WEP"}, "data.password"),
    ("wifi", {"ssid": "net", "encryption": "WPA4"}, "data.encryption"),
    ("wifi", {"ssid": "net", "encryption": "nopass", "hidden": "yes"}, "data.hidden"),
    ("wifi", {"password": "secret12", "encryption": "WPA"}, "data.ssid"),
    ("wifi", "WIFI:S:unterminated", "data"),
    ("vcard", {"lastName": "Doe"}, "data.firstName"),
    ("vcard", {"firstName": "Jane", "lastName": "Doe", "email": "jane(at)example.com"}, "data.email"),
    ("vcard", {"firstName": "Jane", "lastName": "Doe", "url": "javascript:alert(1)"}, "data.url"),
    ("vcard", {"firstName": "Jane", "lastName": "Doe", "phone": "call me"}, "data.phone"),
    ("vcard", {"firstName": "Jane\nX", "lastName": "Doe"}, "data.firstName"),
    ("geo", {"latitude": 90.5, "longitude": 0}, "data.latitude"),
    ("geo", {"latitude": 0, "longitude": -180.01}, "data.longitude"),
    ("geo", {"latitude": "48.2", "longitude": 16.3}, "data.latitude"),
    ("geo", {"latitude": True, "longitude": 16.3}, "data.latitude"),
    ("geo", {"latitude": 48.2}, "data.longitude"),
    ("geo", "geo:1e3,2", "data"),
]
