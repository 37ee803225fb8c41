"""Entry-point discovery: the built-ins come through the same door as third-party plugins."""
from importlib.metadata import entry_points

from exaroutes.plugins.interfaces import missing_members

DATATYPES = "exaroutes.datatypes"
RENDERERS = "exaroutes.renderers"

BUILTIN_DATATYPES = frozenset({"url", "text", "email", "phone", "sms", "wifi", "vcard", "geo"})
BUILTIN_RENDERERS = frozenset({"png", "svg"})


class PluginLoadError(RuntimeError):
    """Start-up fails loudly and names the plugin: a half-loaded registry would fail per request."""


def load_plugins(group, required=frozenset(), eps=None, interface=None):
    """Import every plugin of `group` and return `{name: instance}`.

    `eps` lets unit tests hand in `importlib.metadata.EntryPoint` objects built by hand.
    Each entry point names a class (or factory); it is called once with no arguments. With `interface`
    (a Protocol of exaroutes.plugins.interfaces) each plugin must provide all of it, or start-up fails
    naming what is missing.
    """
    eps = entry_points(group=group) if eps is None else eps
    eps = sorted(eps, key=lambda ep: (ep.name, ep.value))
    for first, second in zip(eps, eps[1:]):
        if first.name == second.name:
            raise PluginLoadError(f"{group}: {first.name!r} is claimed twice ({first.value}, {second.value})")
    found = {}
    for ep in eps:
        try:
            plugin = ep.load()()
        except Exception as exc:
            owner = ep.dist.name if ep.dist else "?"
            raise PluginLoadError(f"{group}: {ep.name!r} from {owner} failed to load: {exc}") from exc
        if getattr(plugin, "name", None) != ep.name:
            raise PluginLoadError(f"{group}: {ep.value} calls itself {getattr(plugin, 'name', None)!r}, "
                                  f"but is registered as {ep.name!r}")
        missing = missing_members(plugin, interface) if interface is not None else []
        if missing:
            owner = ep.dist.name if ep.dist else "?"
            raise PluginLoadError(f"{group}: {ep.name!r} from {owner} does not implement {interface.__name__}: "
                                  f"missing {', '.join(missing)}")
        found[ep.name] = plugin
    missing = required - found.keys()
    if missing:
        raise PluginLoadError(f"{group}: built-ins missing {sorted(missing)}; is exaroutes installed "
                              "(pip install -e .)?")
    return found
