"""Speed benchmarks (issue 8 point 9): scripts, never part of the test suite."""
