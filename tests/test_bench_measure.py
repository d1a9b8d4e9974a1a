"""The benchmarks' own arithmetic (bench/measure.py): what the README's tables are built from."""

from __future__ import annotations

from bench.measure import Run


def test_longest_gap_is_named_by_the_job_that_ended_it() -> None:
    # Completions at 0.2 s (job 3), 0.5 s (job 0), 2.0 s (job 7), 2.1 s (job 1): the longest
    # time nothing completed is 0.5 -> 2.0 s, ended by job 7 (the lists are in finishing order
    # of the threads, not sorted).
    run = Run(
        docs=4,
        clients=2,
        seconds=2.1,
        latencies=[0.2, 0.5, 1.5, 0.1],
        finished=[0.5, 0.2, 2.1, 2.0],
        finished_jobs=[0, 3, 1, 7],
    )

    assert round(run.longest_gap, 6) == 1.5
    assert run.longest_gap_ended_by() == 7


def test_a_wait_before_the_first_completion_counts() -> None:
    run = Run(docs=2, clients=1, seconds=3.0, finished=[2.5, 3.0], finished_jobs=[5, 6])

    assert run.longest_gap == 2.5
    assert run.longest_gap_ended_by() == 5


def test_no_completion_names_no_job() -> None:
    assert Run(docs=0, clients=1, seconds=0.0).longest_gap_ended_by() is None
