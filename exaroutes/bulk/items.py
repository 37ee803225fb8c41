"""A bulk item is a create body: checked by the same code as `POST /api/qr/codes`, named `[3].field`.

The request checks every item before anything is queued, and the worker builds each code from the
stored item with the same functions, so an accepted item becomes exactly what a single create would.
"""
import functools
import json

from exaroutes.schemas.design import BulkItemBody
from exaroutes.validation import deserialize, raise_if
from exaroutes.codes.ids import SHORT_ID_LENGTH, redirect_url
from exaroutes.imaging.design import check_design, look_of, render_design, render_units
from exaroutes.domains.service import code_domain
from exaroutes.errors import ApiError, field_error
from exaroutes.protections.options import create_options
from exaroutes.routing.service import routing_of

MAX_ITEMS = 1000
#: the trial renders one bulk request may cause (one per distinct look), in exaroutes.imaging.design.render_units:
#: 8 distinct looks at 4096 px PNG, 4 at 4096 px PDF, or 128 at up to 1024 px (~1-2 s of CPU)
MAX_TRIAL_UNITS = 128
ITEM_SCHEMA = BulkItemBody()


def item_prefix(position):
    return f"[{position}]."


def item_design(registry, item, position, verified_domains):
    """(Design, CodeOptions, routing, domain) of one item, or ApiError 422 whose errors are named `[position].field`.

    `verified_domains()` answers the workspace's verified hostnames (exaroutes.domains); it is
    called only for an item that names a `domain`.
    """
    prefix = item_prefix(position)
    if not isinstance(item, dict):
        raise ApiError.for_field(422, "body", prefix.rstrip("."), "must be a JSON object (a create body)")
    value, errors = deserialize(ITEM_SCHEMA, item, "body", prefix)
    raise_if(errors)
    design = check_design(registry, value, prefix)
    options = create_options(registry.settings, value, prefix)
    domain = value.get("domain")
    if domain is not None:
        domain = code_domain(domain, verified_domains(), f"{prefix}domain")
    return design, options, routing_of(value, design.data_type, options.encrypt, prefix), domain


def looks(designs, domains):
    """Positions grouped by what decides whether an image can be drawn: format, style and URL (domain)."""
    groups = {}
    for position, (design, domain) in enumerate(zip(designs, domains, strict=True)):
        key = (design.return_type, json.dumps(design.style, sort_keys=True), domain)
        groups.setdefault(key, []).append(position)
    return groups.values()


def unrenderable_errors(registry, settings, designs, domains):
    """Errors for items whose look cannot be drawn (size too small, colours that do not scan).

    A dynamic code encodes its redirect URL, whose length never varies for one domain, so one trial
    render per distinct look (a bulk request usually has one) proves every item of that look without
    rendering all of them in the request.
    """
    errors = []
    for positions in looks(designs, domains):
        first = positions[0]
        sample_url = redirect_url(settings, "X" * SHORT_ID_LENGTH, domains[first])
        try:
            render_design(registry, designs[first], sample_url, item_prefix(first))
        except ApiError as exc:
            for position in positions:
                errors += [field_error(e["location"], e["name"].replace(item_prefix(first), item_prefix(position), 1),
                                       e["description"]) for e in exc.errors]
    return errors


def trial_units(items):
    """Render units of the distinct looks of the raw items: what proving them costs in the request."""
    looks_seen = {look_of(item) for item in items if isinstance(item, dict)}
    return sum(render_units(return_type, json.loads(style)) for return_type, style in looks_seen)


def refuse_costly(items):
    """ApiError 413 before anything is decoded or drawn, when the distinct looks cost too much to prove."""
    units = trial_units(items)
    if units > MAX_TRIAL_UNITS:
        raise ApiError(413, f"These items have distinct looks (format, size, shape, colours, logo) costing {units} "
                            f"render units to prove in one request; at most {MAX_TRIAL_UNITS} are allowed. Use "
                            "fewer distinct looks per bulk, or split it.",
                       [field_error("body", "body", f"{units} render units of distinct looks; at most "
                                                    f"{MAX_TRIAL_UNITS}")])
    return units


def check_items(registry, settings, items, verified_domains=frozenset):
    """The Designs of every item, or ApiError (400 not an array, 422 naming every bad item).

    `verified_domains()`: the workspace's verified hostnames, asked for at most once (by default
    none: a `domain` is then refused)."""
    if not isinstance(items, list):
        raise ApiError(400, "The body must be a JSON array of create bodies.",
                       [field_error("body", "body", "must be a JSON array")])
    if not 1 <= len(items) <= MAX_ITEMS:
        raise ApiError.for_field(422, "body", "body", f"must hold 1 to {MAX_ITEMS} items, not {len(items)}")
    refuse_costly(items)
    designs, domains, errors = [], [], []
    verified_domains = functools.cache(verified_domains)
    for position, item in enumerate(items):
        try:
            design, _, _, domain = item_design(registry, item, position, verified_domains)
            designs.append(design)
            domains.append(domain)
        except ApiError as exc:
            errors += exc.errors
    if not errors:
        errors = unrenderable_errors(registry, settings, designs, domains)
    raise_if(errors)
    return designs
