"""Where one scan of a routed code leads: the first matching rule, else a sticky variant, else None.

A code's `rules` and `variants` are compiled once into frozensets, time windows and cumulative
weights, and the result is kept on the (cached, read-only) code object, so a scan costs a few set
lookups and no query. The facts about the scan are the ones the scan row records anyway (device,
OS, country, visitor hash, time), plus the `Accept-Language` header.

Languages follow the visitor's order of preference: the rules still in the running (every other
condition holds) offer their languages, the visitor's most preferred of those is chosen, and the
first of these rules that names it or names no language wins. So `en, de;q=0.5` reaches an English
rule listed after a German one, and a visitor who reads only French matches neither.

A variant is picked from a hash of the visitor hash and the code: the same phone lands on the same
variant on every scan (for as long as its visitor hash lives: one UTC day, as the hash is salted
daily), different codes split the same visitors independently, and no randomness is involved.
"""
import bisect
from dataclasses import dataclass
import hashlib
import itertools
from typing import NamedTuple

from exaroutes.routing.conditions import rule_os
from exaroutes.routing.language import best_language
from exaroutes.routing.windows import TimeWindow, local_clock, utc_minute


class Visit(NamedTuple):
    """What a rule may ask about one scan (the values the scan row records)."""
    device: str
    os: str                    # ua-parser's OS family, as recorded
    country: str
    accept_language: str
    visitor: str               # the daily visitor hash
    at: object                 # naive UTC datetime


class Route(NamedTuple):
    destination: str
    rule: int | None = None    # index of the rule that matched
    variant: str | None = None  # name of the variant picked


def _values(when, key):
    values = when.get(key)
    return frozenset(values) if values else None


@dataclass(frozen=True, slots=True)
class CompiledRule:
    index: int
    destination: str
    devices: frozenset | None
    systems: frozenset | None
    countries: frozenset | None
    languages: frozenset | None
    window: TimeWindow | None

    @classmethod
    def from_json(cls, index, rule):
        when = rule["when"]
        return cls(index=index, destination=rule["destination"], devices=_values(when, "device"),
                   systems=_values(when, "os"), countries=_values(when, "country"),
                   languages=frozenset(language.lower() for language in when["language"]) if when.get("language")
                   else None,
                   window=TimeWindow.from_json(when["time"]) if when.get("time") else None)


class CompiledRouting:
    def __init__(self, rules, variants):
        self.rules = tuple(CompiledRule.from_json(index, rule) for index, rule in enumerate(rules or ()))
        variants = list(variants or ())
        self.variants = tuple((variant["name"], variant["destination"]) for variant in variants)
        self.bounds = list(itertools.accumulate(variant.get("weight", 1) for variant in variants))

    def route(self, visit, short_id):
        """The Route of this visit, or None when the code's own destination applies."""
        contenders = []
        system, minute = rule_os(visit.os), None
        for rule in self.rules:                # inlined checks: this loop is the cost of a routed scan
            if rule.devices is not None and visit.device not in rule.devices:
                continue
            if rule.systems is not None and system not in rule.systems:
                continue
            if rule.countries is not None and visit.country not in rule.countries:
                continue
            if rule.window is not None:
                minute = minute or utc_minute(visit.at)
                if not rule.window.holds(*local_clock(rule.window.zone_name, minute)):
                    continue
            contenders.append(rule)
            if rule.languages is None:
                break                          # it wins unless an earlier language rule does
        if contenders:
            offered = frozenset().union(*(rule.languages for rule in contenders if rule.languages))
            chosen = best_language(visit.accept_language, offered) if offered else None
            for rule in contenders:
                if rule.languages is None or chosen in rule.languages:
                    return Route(rule.destination, rule=rule.index)
        if self.variants:
            name, destination = self.variants[self.pick(visit.visitor, short_id)]
            return Route(destination, variant=name)
        return None

    def pick(self, visitor, short_id):
        """Index of the variant for this visitor: a 64-bit hash into the cumulative weights."""
        digest = hashlib.blake2b(f"{short_id}\n{visitor}".encode(), digest_size=8).digest()
        ticket = int.from_bytes(digest, "big") % self.bounds[-1]
        return bisect.bisect_right(self.bounds, ticket)


def compiled_routing(code):
    """The CompiledRouting of `code`, built once per loaded code object and kept on it.

    The memo remembers which lists it was built from, so a code whose rules were replaced in this
    session is compiled again; a cached code is never changed, so its memo stays valid.
    """
    memo = code.__dict__.get("_compiled_routing")
    if memo is None or memo[0] is not code.rules or memo[1] is not code.variants:
        memo = (code.rules, code.variants, CompiledRouting(code.rules, code.variants))
        code.__dict__["_compiled_routing"] = memo
    return memo[2]


def route_visit(code, visit):
    """Where this visit of `code` leads: a Route, or None for the code's own destination."""
    if not code.rules and not code.variants:
        return None
    return compiled_routing(code).route(visit, code.short_id)
