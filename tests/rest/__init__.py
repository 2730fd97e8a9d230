"""The REST client: streams, arguments, settings, errors, retries and the wire."""
