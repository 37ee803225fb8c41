"""Entry-point discovery, with EntryPoint objects built by hand (flake8's habit)."""
from importlib.metadata import EntryPoint

import pytest

from exaroutes.plugins.registry import BUILTIN_DATATYPES, BUILTIN_RENDERERS, DATATYPES, RENDERERS, PluginLoadError, load_plugins


def ep(name, value, group=DATATYPES):
    return EntryPoint(name=name, value=value, group=group)


def test_builtins_come_through_the_installed_entry_points():
    assert BUILTIN_DATATYPES <= load_plugins(DATATYPES, BUILTIN_DATATYPES).keys()
    renderers = load_plugins(RENDERERS, BUILTIN_RENDERERS)
    assert renderers["png"].media_type == "image/png" and renderers["svg"].media_type == "image/svg+xml"


def test_a_name_claimed_twice_fails_naming_it():
    eps = [ep("url", "exaroutes.datatypes.url:UrlType"), ep("url", "exaroutes.datatypes.text:TextType")]
    with pytest.raises(PluginLoadError, match="'url' is claimed twice"):
        load_plugins(DATATYPES, eps=eps)


def test_a_broken_plugin_fails_naming_it():
    with pytest.raises(PluginLoadError, match="'broken'.*failed to load"):
        load_plugins(DATATYPES, eps=[ep("broken", "exaroutes.no_such_module:Thing")])


def test_a_plugin_registered_under_another_name_fails():
    with pytest.raises(PluginLoadError, match="registered as 'link'"):
        load_plugins(DATATYPES, eps=[ep("link", "exaroutes.datatypes.url:UrlType")])


def test_missing_builtins_fail_naming_them():
    with pytest.raises(PluginLoadError, match=r"built-ins missing \['text'\]"):
        load_plugins(DATATYPES, frozenset({"url", "text"}), eps=[ep("url", "exaroutes.datatypes.url:UrlType")])
