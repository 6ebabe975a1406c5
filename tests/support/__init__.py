"""What the tests share: the hand-built world, view checks."""
