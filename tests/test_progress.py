"""Progress off a terminal: log lines with the count and the time left, not bar floods."""

import logging

from weakforge import progress


def test_off_a_terminal_progress_is_logged_with_the_time_left(caplog, monkeypatch):
    clock = iter([0.0, 10.0, 40.0, 50.0, 100.0])
    monkeypatch.setattr(progress.time, "perf_counter", lambda: next(clock))
    with caplog.at_level(logging.INFO, logger="weakforge.progress"):
        advance = progress.progress_logger("fine-tuning", 4, every=30)
        advance(1)  # 10 s: too soon for a line
        advance(1)  # 40 s: 2 of 4 done, as long again to go
        advance(1)  # 50 s: too soon
        advance(1)  # the end is always said
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "fine-tuning: 2/4, 40 s spent, about 40 s left",
        "fine-tuning: 4/4, 1.7 min spent, about 0 s left",
    ]


def test_the_bar_context_logs_when_stderr_is_not_a_terminal(caplog):
    with caplog.at_level(logging.INFO, logger="weakforge.progress"):
        with progress.progress_bar("applying rules", 2) as advance:
            advance(2)
    assert "applying rules: 2/2" in caplog.text
