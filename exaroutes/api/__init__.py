"""The customer API: Cornice services, one module per resource."""


def includeme(config):
    config.scan(".bulk")    # before .codes: /api/qr/codes/bulk must not be taken for a code id
    config.scan(".codes")
    config.scan(".static")
    config.include(".docs")
    config.scan(".analytics")
