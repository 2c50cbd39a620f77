"""Search benchmark: synthetic Chinese catalogue, three engines side by side, one command."""
