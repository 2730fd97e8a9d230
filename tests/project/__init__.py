"""The project as a whole: lint, types and regenerate --check, imports, the bench and load
scripts, and the test suite's own layout."""
