"""Strict colander types: what JSON says is what we accept."""
import colander
import pytest

from exaroutes.schemas.types import StrictBoolean, StrictInteger, StrictString, http_url


@pytest.mark.parametrize("value", [12.7, True, "12", None, [1]])
def test_strict_integer_rejects_non_integers(value):
    with pytest.raises(colander.Invalid):
        colander.SchemaNode(StrictInteger()).deserialize(value)


def test_strict_integer_accepts_integers():
    assert colander.SchemaNode(StrictInteger()).deserialize(0) == 0


@pytest.mark.parametrize("value", ["no", 1, 0, None])
def test_strict_boolean_rejects_non_booleans(value):
    with pytest.raises(colander.Invalid):
        colander.SchemaNode(StrictBoolean()).deserialize(value)


@pytest.mark.parametrize("value", [1, 0, False, None, {}])
def test_strict_string_rejects_non_strings(value):
    with pytest.raises(colander.Invalid):
        colander.SchemaNode(StrictString()).deserialize(value)


@pytest.mark.parametrize("url", ["https://example.com", "http://a.b/c?d=e#f", "https://xn--mnchen-3ya.de/"])
def test_http_url_accepts(url):
    http_url(colander.SchemaNode(colander.String()), url)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com", "//example.com", "https://",
                                 "https://exa mple.com", "https://example.com:99999/", "data:text/html,x"])
def test_http_url_rejects(url):
    with pytest.raises(colander.Invalid):
        http_url(colander.SchemaNode(colander.String()), url)
