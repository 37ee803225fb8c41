"""The built-in plugins keep the contracts ExaRoutes ships for third parties (exaroutes.testing), so
the contract classes are exercised by the host's own suite too, not only by the plugins'."""
from exaroutes.testing import DataTypeContract, RendererContract


class TestUrlContract(DataTypeContract):
    datatype = "url"
    valid = [("https://example.com/spring?utm=qr", "https://example.com/spring?utm=qr")]
    invalid = [("javascript:alert(1)", "data"), ({"url": "https://example.com"}, "data")]

    def expected_scan(self, data):
        return "redirect", data


class TestTextContract(DataTypeContract):
    datatype = "text"
    valid = [("Grüße <aus> Köln", "Grüße <aus> Köln")]
    invalid = [("", "data"), (42, "data")]

    def expected_scan(self, data):
        return "page", ["Grüße &lt;aus&gt; Köln"]


class TestPngContract(RendererContract):
    renderer = "png"
    media_type = "image/png"


class TestSvgContract(RendererContract):
    renderer = "svg"
    media_type = "image/svg+xml"
