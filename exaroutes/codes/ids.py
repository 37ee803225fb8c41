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


def redirect_url(settings, short_id):
    return f"{settings['exaroutes.redirect_base']}/r/{short_id}"
