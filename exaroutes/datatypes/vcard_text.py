"""vCard 3.0 text (RFC 2426) for the fields of the `vcard` data type: writing it and reading it back.

Escaping (RFC 2426 §4, `text` values): `\\` → `\\\\`, `,` → `\\,`, `;` → `\\;`, a line break → `\\n`.
Structured values (N, ADR) separate their components with unescaped `;`. Lines end with CRLF (§2.4.2
of RFC 2425). Long lines are not folded: folding is a SHOULD, it costs 3 bytes per 75 in a code whose
capacity is tight, and vobject reads long unfolded lines; the reader below unfolds what others fold.
URL is a `uri` value in RFC 2426, but readers such as vobject unescape it like text and split it
at a bare comma, so it is escaped like text too.
"""
import colander

#: field of the data type → the property line it becomes (name and parameters)
PROPERTIES = {
    "organization": "ORG",
    "title": "TITLE",
    "phone": "TEL",
    "email": "EMAIL;TYPE=INTERNET",
    "url": "URL",
    "address": "ADR",
    "note": "NOTE",
}


def escape_text(value):
    return (value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            .replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n"))


def write_vcard(data):
    """The vCard of `data` (validated fields of the `vcard` type)."""
    first, last = data["firstName"], data["lastName"]
    lines = ["BEGIN:VCARD", "VERSION:3.0",
             f"N:{escape_text(last)};{escape_text(first)};;;",
             f"FN:{escape_text(first + ' ' + last)}"]
    for field, prop in PROPERTIES.items():
        if field not in data:
            continue
        if prop == "ADR":
            value = f";;{escape_text(data[field])};;;;"
        else:
            value = escape_text(data[field])
        lines.append(f"{prop}:{value}")
    lines.append("END:VCARD")
    return "".join(line + "\r\n" for line in lines)


def split_escaped(value, separator):
    """Split on `separator` where it is not escaped, and unescape each part."""
    parts, current, chars = [], [], iter(value)
    for ch in chars:
        if ch == "\\":
            following = next(chars, "")
            current.append("\n" if following in "nN" and following else following)
        elif ch == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def read_vcard(node, text):
    """The `vcard` fields of a vCard 3.0 text; Invalid naming what is not one of ours.

    Unknown properties are refused rather than dropped: a destination sent back must not lose data
    silently. FN is derived from N, so it is not read.
    """
    lines = text.replace("\r\n", "\n").replace("\n ", "").replace("\n\t", "").strip("\n").split("\n")
    if lines[:2] != ["BEGIN:VCARD", "VERSION:3.0"] or lines[-1] != "END:VCARD":
        raise colander.Invalid(node, "must be a vCard 3.0 (BEGIN:VCARD, VERSION:3.0, …, END:VCARD) or an object")
    fields, seen = {}, set()
    by_property = {prop.split(";")[0]: field for field, prop in PROPERTIES.items()}
    for line in lines[2:-1]:
        name_and_params, colon, value = line.partition(":")
        prop = name_and_params.split(";")[0].upper()
        if not colon or prop in seen:
            raise colander.Invalid(node, f"vCard line {line[:40]!r} is not a single property with a value")
        seen.add(prop)
        if prop == "N":
            parts = split_escaped(value, ";")
            fields["lastName"], fields["firstName"] = parts[0], parts[1] if len(parts) > 1 else ""
        elif prop == "FN":
            continue
        elif prop not in by_property:
            raise colander.Invalid(node, f"vCard property {prop} is not one this data type keeps")
        elif prop == "ADR":
            fields["address"] = "\n".join(part for part in split_escaped(value, ";") if part)
        else:
            fields[by_property[prop]] = "; ".join(split_escaped(value, ";"))
    return {key: value for key, value in fields.items() if value}
