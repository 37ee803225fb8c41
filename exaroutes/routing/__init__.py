"""Routing rules and A/B variants of dynamic `url` codes (DESIGN.md §7).

One printed code, many destinations: the first rule whose conditions all hold decides; otherwise a
weighted variant, sticky per visitor; otherwise the code's own destination.

- `exaroutes.schemas.routing` (neutral ground beside the other shared schemas): the colander nodes of
  `rules` and `variants` that API bodies, bulk items and dashboard forms share
- `conditions`: what a rule may ask about a scan (devices, operating systems, weekdays)
- `language`: the visitor's languages from `Accept-Language`, in their order of preference
- `windows`: weekdays and a local time window in an IANA zone
- `evaluate`: rules and variants compiled once per cached code, and the pick for one scan
- `service`: which codes may have them, and setting them (create, bulk items, PUT, dashboard)
"""
