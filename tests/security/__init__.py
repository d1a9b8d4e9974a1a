"""Security tests: each keeps one class of weakness closed (issue 10), against real components."""
