"""Load data-type and renderer plugins once, at start-up, into the registry."""
from exaroutes.plugins.interfaces import DataType, Renderer
from exaroutes.plugins.registry import (
    BUILTIN_DATATYPES, BUILTIN_RENDERERS, DATATYPES, RENDERERS, load_plugins)


def includeme(config):
    config.registry["datatypes"] = load_plugins(DATATYPES, BUILTIN_DATATYPES, interface=DataType)
    config.registry["renderers"] = load_plugins(RENDERERS, BUILTIN_RENDERERS, interface=Renderer)
