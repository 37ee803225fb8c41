"""`wifi`: join a Wi-Fi network, in the `WIFI:` format of the ZXing wiki that phone cameras read.

`WIFI:T:<WPA|WEP|nopass>;S:<ssid>;P:<password>;H:true;;`: fields end with `;`, the record with an
empty field (`;;`). In values, `\\ ; , : "` are escaped with a backslash (as in MECARD). The wiki's
advice to quote hex-looking values does not apply: the password rules below keep an ASCII
passphrase and a hex key apart by length (WPA 8-63 vs 64, WEP 5/13 vs 10/26), as readers expect.
"""
import re

import colander

from exaroutes.schemas.types import StrictBoolean, StrictString
from exaroutes.datatypes.fields import ObjectOrString, PayloadDestination, invalid_field, text_field
from exaroutes.datatypes.pages import fields_page

ENCRYPTIONS = ("WPA", "WEP", "nopass")
SPECIAL = '\\;,:"'
FIELD_NAMES = {"T": "encryption", "S": "ssid", "P": "password", "H": "hidden"}
HEX = re.compile(r"[0-9A-Fa-f]+")
PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]+")


def escape_value(value):
    return "".join("\\" + ch if ch in SPECIAL else ch for ch in value)


def split_fields(node, text):
    """`WIFI:` record → [(key, unescaped value)], by the wiki's rules; Invalid if it is not one."""
    if not text.startswith("WIFI:"):
        raise colander.Invalid(node, "must be a WIFI: string or an object")
    fields, key, value, escaped, in_key = [], "", [], False, True
    for ch in text[len("WIFI:"):]:
        if in_key:
            if ch == ":":
                in_key = False
            elif ch == ";" and not key:
                return fields            # the empty field that ends the record
            else:
                key += ch
        elif escaped:
            value.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ";":
            fields.append((key, "".join(value)))
            key, value, in_key = "", [], True
        else:
            value.append(ch)
    raise colander.Invalid(node, "a WIFI: string ends with ;;")


def parse_wifi(node, text):
    """`data` given as a string: a `WIFI:` record (a missing T means an open network)."""
    data = {"encryption": "nopass"}
    for key, value in split_fields(node, text):
        name = FIELD_NAMES.get(key)
        if name is None:
            raise colander.Invalid(node, f"unknown WIFI: field {key!r}")
        if name == "hidden":
            if value.lower() not in ("true", "false"):
                raise colander.Invalid(node, "H: must be true or false")
            data["hidden"] = value.lower() == "true"
        elif value:
            data[name] = value
    return data


def ssid_bytes(node, value):
    if len(value.encode("utf-8")) > 32:
        raise colander.Invalid(node, f"is {len(value.encode('utf-8'))} bytes in UTF-8; an SSID has at most 32")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise colander.Invalid(node, "must not contain control characters")


def password_fits_encryption(node, data):
    """IEEE 802.11 key rules, so every code we print can really join its network."""
    encryption, password = data["encryption"], data.get("password")
    if encryption == "nopass":
        if password is not None:
            raise invalid_field(node, "password", "an open (nopass) network has no password")
        return
    if password is None:
        raise invalid_field(node, "password", f"is required for {encryption}")
    if encryption == "WPA":
        if not (PRINTABLE_ASCII.fullmatch(password) and 8 <= len(password) <= 63
                or len(password) == 64 and HEX.fullmatch(password)):
            raise invalid_field(node, "password", "a WPA password is 8 to 63 printable ASCII characters "
                                                  "(or 64 hex digits)")
    elif not (PRINTABLE_ASCII.fullmatch(password) and len(password) in (5, 13)
              or len(password) in (10, 26) and HEX.fullmatch(password)):
        raise invalid_field(node, "password", "a WEP key is 5 or 13 ASCII characters (or 10 or 26 hex digits)")


class WifiSchema(colander.MappingSchema):
    ssid = text_field("ssid", "network name, at most 32 bytes in UTF-8", 128, required=True, validator=ssid_bytes)
    password = text_field("password", "required for WPA and WEP, absent for nopass", 64)
    encryption = colander.SchemaNode(StrictString(), name="encryption", validator=colander.OneOf(ENCRYPTIONS),
                                     description="WPA (WPA/WPA2/WPA3 personal), WEP or nopass")
    hidden = colander.SchemaNode(StrictBoolean(), name="hidden", missing=colander.drop,
                                 description="true if the network does not broadcast its name")


class WifiType(PayloadDestination):
    name = "wifi"
    description = "Wi-Fi credentials (WIFI: string)."
    schema = WifiSchema(ObjectOrString(parse_wifi), name="data", validator=password_fits_encryption,
                        description='{"ssid", "password"?, "encryption": "WPA|WEP|nopass", "hidden"?}, '
                                    "or a WIFI: string")

    def payload(self, data):
        parts = [f"T:{data['encryption']}", f"S:{escape_value(data['ssid'])}"]
        if "password" in data:
            parts.append(f"P:{escape_value(data['password'])}")
        if data.get("hidden"):
            parts.append("H:true")
        return "WIFI:" + "".join(part + ";" for part in parts) + ";"

    def scan_response(self, request, code):
        data = code.data
        rows = [("Network", data["ssid"], True)]
        if "password" in data:
            rows.append(("Password", data["password"], True))
        rows.append(("Security", "open (no password)" if data["encryption"] == "nopass" else data["encryption"],
                     False))
        if data.get("hidden"):
            rows.append(("Hidden network", "yes: add it by name", False))
        intro = "<p>Join this network from your phone's Wi-Fi settings.</p>"
        return fields_page(request, f"Wi-Fi: {data['ssid']}", rows, intro=intro)
