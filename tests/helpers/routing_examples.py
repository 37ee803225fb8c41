"""The rules and variants of DESIGN.md §7, exactly as written there: the examples every routing test starts from."""

RULES = [
    {"when": {"os": ["iOS"]}, "destination": "https://apps.apple.com/app/id1"},
    {"when": {"country": ["DE", "AT", "CH"], "language": ["de"]}, "destination": "https://example.de/"},
    {"when": {"time": {"days": ["sat", "sun"], "from": "09:00", "to": "17:00", "timezone": "Europe/Berlin"}},
     "destination": "https://example.com/weekend"},
]
VARIANTS = [{"name": "A", "destination": "https://example.com/a", "weight": 50},
            {"name": "B", "destination": "https://example.com/b", "weight": 50}]
