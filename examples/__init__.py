"""Short programs that use signalwire_streams as an application would.

Each runs as `python examples/NAME.py`, a self-demo against a local emulator, and each is
also the real thing to start from (see its docstring). tests/examples/ runs them all.
"""
