"""Text that every database we run on can store, checked where input arrives, not where the INSERT fails.

JSON may carry `\\u0000` and lone UTF-16 surrogates (`\\ud800`), both valid JSON and both valid Python
strings. PostgreSQL refuses NUL in text, nothing can encode a lone surrogate as UTF-8, and SQLite
takes the NUL but a scan page, a renderer or a later export may not. Found only at the INSERT, that
is a 500 (or, in a bulk worker, a job that never ends). Found here, it is a 422 that names the field,
the same on SQLite and PostgreSQL. No field of the API has a use for either character.
"""

PROBLEM = "must not contain NUL characters or unpaired UTF-16 surrogates"


def bad_text(text):
    """True when `text` holds a NUL or a lone surrogate."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def unstorable_field(value, name=""):
    """The name (`data.note`, `[3].data`, `` for the body itself) of the first string in a JSON
    value, key or value, that `bad_text` refuses; None when every string is storable.
    A loop, not recursion: a body nested as deep as the JSON parser allows must not overflow the stack."""
    pending = [(value, name)]
    while pending:
        value, name = pending.pop()
        if isinstance(value, str):
            if bad_text(value):
                return name
        elif isinstance(value, dict):
            children = []
            for key, child in value.items():
                child_name = f"{name}.{key}" if name else key
                if bad_text(key):
                    return child_name
                children.append((child, child_name))
            pending.extend(reversed(children))
        elif isinstance(value, list):
            pending.extend(reversed([(child, f"{name}[{index}]") for index, child in enumerate(value)]))
    return None
