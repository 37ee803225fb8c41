"""`geo`: a point on Earth as a `geo:` URI (RFC 5870), which map apps open.

RFC 5870 numbers are plain decimals (`-?digits[.digits]`, no exponent), WGS-84 degrees and metres.
"""
import math
import re
from decimal import Decimal

import colander

from exaroutes.schemas.types import StrictNumber
from exaroutes.datatypes.fields import ObjectOrString, UriDataType

NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"
GEO_URI = re.compile(rf"geo:({NUMBER}),({NUMBER})(?:,({NUMBER}))?(;crs=wgs84)?", re.ASCII | re.IGNORECASE)


def finite(node, value):
    if not math.isfinite(value):
        raise colander.Invalid(node, "must be a finite number")


def plain_decimal(value):
    """`1e-05` → `0.00001`, `48.0` → `48`: RFC 5870 has no exponent notation."""
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def parse_geo(node, text):
    """`data` given as a string: a `geo:lat,lon[,alt]` URI (only the WGS-84 `crs` parameter)."""
    match = GEO_URI.fullmatch(text)
    if not match:
        raise colander.Invalid(node, "must be a geo: URI like geo:48.2082,16.3738 or an object")
    latitude, longitude, altitude = match.group(1, 2, 3)
    fields = {"latitude": float(latitude), "longitude": float(longitude)}
    if altitude is not None:
        fields["altitude"] = float(altitude)
    return fields


def coordinate(name, low, high, description, required=True):
    return colander.SchemaNode(StrictNumber(), name=name, validator=colander.All(finite, colander.Range(low, high)),
                               description=description,
                               missing=colander.required if required else colander.drop)


class GeoSchema(colander.MappingSchema):
    latitude = coordinate("latitude", -90, 90, "degrees north, -90 to 90 (WGS-84)")
    longitude = coordinate("longitude", -180, 180, "degrees east, -180 to 180 (WGS-84)")
    altitude = coordinate("altitude", -12000, 100000, "metres above the WGS-84 ellipsoid (optional)",
                          required=False)


class GeoType(UriDataType):
    name = "geo"
    scheme = "geo:"
    description = "A location (geo: URI, RFC 5870)."
    schema = GeoSchema(ObjectOrString(parse_geo), name="data",
                       description='{"latitude", "longitude", "altitude"?}, or a geo: URI')

    def payload(self, data):
        numbers = [data["latitude"], data["longitude"]] + ([data["altitude"]] if "altitude" in data else [])
        return "geo:" + ",".join(plain_decimal(number) for number in numbers)
