"""Helpers shared by the test folders, one module per kind; no test lives here.

Test modules import from here (`from tests.helpers.clients import WSS_URL`), never from one
another: tests/project/test_layout.py holds the suite to that.
"""
