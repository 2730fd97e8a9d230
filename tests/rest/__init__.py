"""The REST client: streams, validation, settings, errors, retries, faults, transport,
cassettes, twilio-python parity, spec conformance, the low-level client, regeneration and
the vocabulary."""
