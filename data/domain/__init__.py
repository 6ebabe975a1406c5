"""The vocabulary and rules every caller shares: closed lists and their labels, limits, parsers, permissions."""
