"""The benchmark and load programs behind scripts/bench, scripts/bench_media and scripts/load.

A package, not scripts, so that mypy --strict and ruff read it and the helpers the three
programs share exist once. It lives in the repository, not in the wheel: run it from a
clone, through the scripts or as `python -m bench.rest`, `bench.media`, `bench.load`.

    bench.rest     what the REST clients cost, against a canned server (scripts/bench)
    bench.media    our media receiver beside the floor, under many real-time streams
                   (scripts/bench_media)
    bench.load     nothing lost or leaked under load (scripts/load)

The modules with a leading underscore are their parts. Five are child processes, each
run as `python -m bench.…`: `_canned` (the canned HTTP server), `_generator` (the media
load generator), `_ours` and `_floor` (the media receivers bench.media measures: ours
through the public API, and the plainest fast receivers beside it) and
`_emulator_process` (the emulator for the load check). `_process` and `_report` are what
the programs share, and `_tally` what the media receivers share (the work they do per
event, and their processes' life). `_contenders` (bench.rest's rows), `_client_load`
(bench.load's REST phase), `_runs` (bench.media's runs) and `_media_report` (its tables
and figures) keep the programs' modules under 400 lines.
"""

__all__: list[str] = []
