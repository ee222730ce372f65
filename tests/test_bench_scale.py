"""The scale extrapolation of `make bench` (benchmarks/scale.py) on the figures of two runs."""

import pytest

from benchmarks import scale

# Step times as `make bench` records them (seconds), at 2,000 and 20,000 articles on 2 processes:
# NLP 2 s fixed + 0.019 s per article; dbt 5 s fixed + 0.001 s per article; start-up 4 s flat.
RUNS = [
    {
        "n": n,
        "procs": 2,
        "stages": {
            "nlp_tables.nlp_parse[all]": 2 + 0.019 * n,
            "dbt_build": 5 + 0.001 * n,
            "outside the steps (start-up, summary)": 4.0,
            "peak MB main": 700.0,
        },
    }
    for n in (2_000, 20_000)
]


def test_each_step_is_fitted_as_a_line_through_the_two_sizes():
    lines = scale.stage_lines(RUNS)
    assert set(lines) == {
        "nlp_tables.nlp_parse[all]",
        "dbt_build",
        "outside the steps (start-up, summary)",
    }
    assert lines["nlp_tables.nlp_parse[all]"] == pytest.approx((2.0, 0.019))
    assert lines["outside the steps (start-up, summary)"] == pytest.approx((4.0, 0.0))


def test_on_the_measured_processes_the_prediction_gives_back_the_measured_run():
    wall, _ = scale.predict(RUNS, 20_000, workers=2)
    assert abs(wall - sum(v for k, v in RUNS[1]["stages"].items() if "MB" not in k)) < 1e-6


def test_only_the_nlp_fan_out_divides_over_workers():
    _, on_2 = scale.predict(RUNS, 150_000, workers=2)
    _, on_8 = scale.predict(RUNS, 150_000, workers=8)
    assert on_8["nlp_tables.nlp_parse[all]"] - 2 == pytest.approx(
        (on_2["nlp_tables.nlp_parse[all]"] - 2) / 4
    )
    assert on_8["dbt_build"] == on_2["dbt_build"] == pytest.approx(5 + 150.0)


def test_the_report_names_the_step_that_stops_scaling():
    text = "\n".join(scale.report(RUNS))
    assert "150,000-article day" in text
    assert "stops scaling first: dbt_build" in text
    # 150,000 articles: NLP 2 + 5,700 s / N; single-process steps 159 s: half only past 32 workers
    assert "half the wall time" not in text
    slow_dbt = [{**r, "stages": {**r["stages"], "dbt_build": 5 + 0.01 * r["n"]}} for r in RUNS]
    # single-process 1,509 s against NLP 2,852 s on 2 workers, 1,427 s on 4
    assert "from 4 workers the single-process steps are half" in "\n".join(scale.report(slow_dbt))


def test_the_bound_without_extraction_replaces_only_the_nlp_step_by_the_parse_at_the_ceiling():
    """Session 19's 2,000-article bench: 681,588 words, ceiling 11,158 words/s (61.1 s of parse),
    full run 96.9 s of which the NLP step 75.5 s: 61.1 / (96.9 - 75.5 + 61.1) = 0.74."""
    from benchmarks.run_benchmark import ratio_if_extraction_were_free

    NLP_STEP = "nlp_tables.nlp_parse[all]"  # as the bench prints it

    run = {"words": 681_588, "ceiling_wps": 11_158.0, "full_s": 96.9, "stages": {NLP_STEP: 75.5}}
    assert ratio_if_extraction_were_free(run) == pytest.approx(0.74, abs=0.005)
    # a run whose NLP step already ran at the ceiling's rate is its own bound
    run["stages"][NLP_STEP] = 681_588 / 11_158.0
    assert ratio_if_extraction_were_free(run) == pytest.approx(
        run["words"] / run["full_s"] / run["ceiling_wps"]
    )
    assert ratio_if_extraction_were_free({**run, "stages": {}}) is None


def _runs(sizes, dbt_seconds):
    return [
        {
            "n": n,
            "procs": 2,
            "stages": {
                "nlp_tables.nlp_parse[all]": 2 + 0.019 * n,
                "dbt_build": dbt_seconds(n),
                "outside the steps (start-up, summary)": 4.0,
                "peak MB main": 700.0,
            },
        }
        for n in sizes
    ]


def test_with_three_sizes_the_lines_through_the_smaller_two_are_checked_against_the_largest():
    sizes = (2_000, 20_000, 100_000)
    straight = "\n".join(scale.report(_runs(sizes, lambda n: 5 + 0.001 * n)))
    # every step a line: the 100,000-article run is predicted exactly (1,902 + 105 + 4 s)
    assert (
        "predict the 100,000-article run at 33.5 min; it took 33.5 min (+0%); "
        "no step off by 1% of the run or more"
    ) in straight
    # dbt growing faster than its line (5 s + n^2 / 2e8: 7 s at 20,000, 55 s at 100,000, where
    # the line through 2,000 and 20,000 says 15.8 s)
    curved = "\n".join(scale.report(_runs(sizes, lambda n: 5 + n * n / 2e8)))
    assert "at 32.0 min; it took 32.7 min (-2%); most off: dbt_build -0.7 min" in curved
    assert "nlp_parse" not in curved.split("most off:")[1]  # the straight steps are not named
    assert scale.check(_runs(sizes[:2], lambda n: 5.0)) == []  # two sizes: nothing to check


def test_the_main_process_peak_of_a_step_is_the_largest_sample_inside_its_window():
    """`make bench-warehouse` attributes the main process's memory to steps from Dagster's DEBUG
    console log (one-second stamps) and the sampler's timeline."""
    import datetime as dt

    from benchmarks.run_benchmark import main_peak_per_step

    def line(at: str, step: str, event: str) -> str:
        return f"2026-12-06 {at} +0000 - dagster - DEBUG - newsledger_job - 6fb38b37 - 23396 - {step} - {event} - x"

    log = "\n".join(
        [
            line("10:00:00", "raw_articles", "STEP_START"),
            line("10:00:02", "raw_articles", "STEP_SUCCESS"),
            line("10:00:05", "actor_tables", "STEP_START"),
            line("10:00:09", "actor_tables", "STEP_FAILURE"),
        ]
    )
    t0 = dt.datetime(2026, 12, 6, 10, 0, 0, tzinfo=dt.UTC).timestamp()
    timeline = [
        (t0 + 1, "main", 500.0),
        (t0 + 1.5, "dbt", 9000.0),  # another process: not the main one's
        (t0 + 4, "main", 700.0),  # between the steps
        (t0 + 6, "main", 1200.0),
        (t0 + 9.5, "main", 1300.0),  # within the end's second
        (t0 + 11, "main", 1400.0),
    ]
    assert main_peak_per_step(log, timeline) == [
        ("raw_articles", 2.0, 500.0),
        ("actor_tables", 4.0, 1300.0),
    ]
