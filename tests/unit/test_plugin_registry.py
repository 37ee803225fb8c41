"""Entry-point discovery, with EntryPoint objects built by hand (flake8's habit)."""
import pathlib
from importlib.metadata import EntryPoint

import pytest

from exaroutes.plugins.interfaces import DataType, Renderer, missing_members
from exaroutes.plugins.registry import (
    BUILTIN_DATATYPES, BUILTIN_RENDERERS, DATATYPES, RENDERERS, PluginLoadError, load_plugins)

PLUGIN_DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


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


class HalfRenderer:
    """A renderer that forgot `media_type` and whose `render` is not a method."""
    name = "half"
    supported_style = frozenset()
    render = "not callable"


class HalfDataType:
    name = "half"
    schema = None

    def payload(self, data):
        return str(data)


def test_a_plugin_missing_part_of_its_interface_fails_naming_what_is_missing():
    with pytest.raises(PluginLoadError, match=r"'half'.*does not implement Renderer: missing media_type, "
                                              r"render \(not callable\)"):
        load_plugins(RENDERERS, eps=[ep("half", f"{__name__}:HalfRenderer", RENDERERS)], interface=Renderer)
    with pytest.raises(PluginLoadError, match=r"does not implement DataType: missing destination, "
                                              r"from_destination, scan_response"):
        load_plugins(DATATYPES, eps=[ep("half", f"{__name__}:HalfDataType")], interface=DataType)


def test_every_installed_plugin_implements_its_interface():
    for plugin in load_plugins(DATATYPES, BUILTIN_DATATYPES, interface=DataType).values():
        assert missing_members(plugin, DataType) == []
    for plugin in load_plugins(RENDERERS, BUILTIN_RENDERERS, interface=Renderer).values():
        assert missing_members(plugin, Renderer) == []


def test_the_toolkit_exports_exactly_what_it_documents():
    from exaroutes.plugins import toolkit

    assert toolkit.VERSION >= (1, 0)
    assert all(hasattr(toolkit, name) for name in toolkit.__all__)
    documented = PLUGIN_DOCS.read_text()
    assert all(f"`{name}`" in documented for name in toolkit.__all__)
