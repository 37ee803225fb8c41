"""Colander types and the design, limit and request-body schemas the API, bulk jobs, data types and the
dashboard share. Neutral ground: nothing here imports a web package."""
