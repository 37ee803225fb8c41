"""Our Cornice Service: errors in the contract's shape, and the validator every service uses."""
import cornice

from exaroutes.errors import cornice_error_handler


class Service(cornice.Service):
    """Every API service answers errors in the DESIGN.md shape (Kinto subclasses the same way)."""

    def error_handler(self, request):
        return cornice_error_handler(request)
