"""The values a rule's conditions may name, and how a scan's recorded values map onto them.

Scans record ua-parser's OS family names (`Mac OS X`, `Ubuntu`, ...); rules speak of six broad
systems, because a customer routing "Linux desktops" should not have to list every distribution.
"""

DEVICES = ("mobile", "tablet", "desktop")
OPERATING_SYSTEMS = ("iOS", "Android", "Windows", "macOS", "Linux", "other")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")   # index = datetime.weekday()

#: ua-parser OS families (as `exaroutes.scan.enrich` records them) -> the rule's name for them
OS_FAMILIES = {
    "iOS": "iOS",
    "Android": "Android",
    "Windows": "Windows",
    "Mac OS X": "macOS",
    "Linux": "Linux", "Ubuntu": "Linux", "Fedora": "Linux", "Debian": "Linux", "Mint": "Linux",
    "Arch Linux": "Linux", "Gentoo": "Linux",
}


def rule_os(os_family):
    """The rule-level OS of a recorded OS family: anything not listed above is `other`."""
    return OS_FAMILIES.get(os_family, "other")
