"""Accept-Language: primary subtags in the visitor's order of preference, by quality value."""
import pytest

from exaroutes.routing.language import best_language, preferred_languages


@pytest.mark.parametrize("header, expected", [
    ("de-DE,de;q=0.9,en;q=0.8", ("de", "en")),
    ("en;q=0.5, fr, de;q=0.7", ("fr", "de", "en")),          # quality decides, not the listing
    ("fr;q=0.8, it;q=0.8, es;q=0.9", ("es", "fr", "it")),    # equal quality keeps the listing order
    ("da, en-gb;q=0.8, en;q=0.7", ("da", "en")),              # en-GB and en are one primary subtag
    ("EN-us, De-AT;q=0.4", ("en", "de")),                     # tags are case-insensitive
    ("de;q=0, en", ("en",)),                                  # q=0 means "not acceptable"
    ("*, de;q=0.1", ("de",)),                                 # the wildcard names no language
    ("zh-Hant-TW;q=0.9, ja;q=0.95", ("ja", "zh")),
    ("", ()),
    ("de;q=2", ()),                                           # invalid header: no stated preference
    ("not a header ,,, ;;;", ()),
    ("de;q=0.9" + ", x" * 600, ()),                           # absurdly long: not parsed
])
def test_preferred_languages_follow_quality_values(header, expected):
    assert preferred_languages(header) == expected


def test_best_language_is_the_most_preferred_offered_one():
    assert best_language("en, de;q=0.5", {"de", "en"}) == "en"
    assert best_language("en;q=0.4, de;q=0.5", {"de", "en"}) == "de"
    assert best_language("fr, de;q=0.5", {"de", "en"}) == "de"
    assert best_language("fr", {"de", "en"}) is None
    assert best_language(None, {"de"}) is None
