"""Our receiver, as bench.media measures it: `media.serve` with a handler per stream.

    python -m bench._ours --style iterate|listener [--port P] [--reuse-port] [--cert PEM]

Through the public API only, in one of two styles, each doing bench._tally's work per event:

    iterate   the README's: `async for event in session`, the tally in the loop (the
              handler's task wakes for every event)
    listener  `session.add_listener(tally)`, then `await session.collect()` (the tally runs
              inline as each frame is parsed; the handler's task wakes at the end only)

bench.media starts it (several of them sharing a port with --reuse-port, for --workers);
what it prints and reads is bench._tally's receiver protocol.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from signalwire_streams import media

from bench._generator import TOKEN
from bench._tally import Options, Serving, Stream, Tally, receiver_parser, run_receiver

__all__ = ["STYLES", "main"]


def _tally_events(stream: Stream) -> Callable[[media.Event], None]:
    """The per-event tally as a listener: the same work the iterating handler does."""

    def tally(event: media.Event) -> None:
        if type(event) is media.Media:
            stream.media(event.timestamp or 0, event.chunk or 0)
        elif type(event) is media.Start:
            parameters = event.custom_parameters
            stream.start(parameters.get("t0"), parameters.get("probe"))
        elif type(event) is media.Stop:
            stream.stop()

    return tally


def iterate(tally: Tally) -> media.Handler:
    """The README's handler: `async for event in session`."""

    async def handle(session: media.Session) -> None:
        stream = tally.opened()
        try:
            async for event in session:
                if type(event) is media.Media:
                    stream.media(event.timestamp or 0, event.chunk or 0)
                elif type(event) is media.Start:
                    parameters = event.custom_parameters
                    stream.start(parameters.get("t0"), parameters.get("probe"))
                elif type(event) is media.Stop:
                    stream.stop()
        finally:
            tally.closed(stream)

    return handle


def listener(tally: Tally) -> media.Handler:
    """A listener per session, and `collect()`: no task wake-up per frame."""

    async def handle(session: media.Session) -> None:
        stream = tally.opened()
        try:
            if session.start is not None:  # arrived before the handler ran: not seen below
                parameters = session.custom_parameters
                stream.start(parameters.get("t0"), parameters.get("probe"))
            session.add_listener(_tally_events(stream))
            await session.collect()
        finally:
            tally.closed(stream)

    return handle


STYLES: dict[str, Callable[[Tally], media.Handler]] = {
    "iterate": iterate,
    "listener": listener,
}


def serving(style: str) -> Serving:
    @asynccontextmanager
    async def serve(tally: Tally, options: Options) -> AsyncIterator[int]:
        handler = STYLES[style](tally)
        async with media.serve(
            handler,
            port=options.port,
            ssl=options.ssl,
            bearer_token=TOKEN,
            reuse_port=options.reuse_port,
        ) as server:
            yield server.port

    return serve


def main(argv: Sequence[str] | None = None) -> int:
    parser = receiver_parser("python -m bench._ours", (__doc__ or "").partition("\n")[0])
    parser.add_argument("--style", choices=sorted(STYLES), required=True)
    args = parser.parse_args(argv)
    return run_receiver(serving(args.style), args)


if __name__ == "__main__":
    sys.exit(main())
