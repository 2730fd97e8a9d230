"""Status callbacks and their signatures."""
