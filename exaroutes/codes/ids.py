"""A code's public id and the URL printed in its image: random, unguessable, checked before any lookup."""
import secrets
import string

SHORT_ID_ALPHABET = string.ascii_letters + string.digits
SHORT_ID_LENGTH = 8


def new_short_id():
    """8 random characters of [A-Za-z0-9]: 62^8 ≈ 2.2e14 possibilities, not guessable, not sequential."""
    return "".join(secrets.choice(SHORT_ID_ALPHABET) for _ in range(SHORT_ID_LENGTH))


def is_short_id(text):
    """Could `text` be an id at all? Anything else (NUL bytes, 10 kB) never reaches the database."""
    return len(text) == SHORT_ID_LENGTH and text.isascii() and text.isalnum()


def redirect_url(settings, short_id, domain=None):
    """What the image encodes: `{redirect base}/r/{id}`, or `{scheme}://{domain}/r/{id}` for a code
    printed on a custom domain (the scheme of the redirect base: TLS ends at the same proxy)."""
    base = settings["exaroutes.redirect_base"]
    if domain is None:
        return f"{base}/r/{short_id}"
    return f"{base.split('://', 1)[0]}://{domain}/r/{short_id}"
