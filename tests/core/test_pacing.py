"""Frame pacing on fake clocks: at most 30 frames a second, the newest wins, views in budget."""

from __future__ import annotations

import pytest

from nnviz.core.run.frames import Frame
from nnviz.core.run.pacing import (
    FRAME_RATE,
    GUI_SHARE,
    MAX_FRAME_INTERVAL,
    MIN_FRAME_INTERVAL,
    PANEL_SHARE,
    VIEWS_BUDGET,
    DeliveryPace,
    DrawPace,
    SendPace,
    ViewsPace,
    frame_interval,
    merge_frames,
    next_due,
)


def test_frames_are_paced_from_when_they_were_due():
    every = MIN_FRAME_INTERVAL
    assert next_due(1.0, 1.004, every) == pytest.approx(1.0 + every)  # a late timer: no drift
    assert next_due(1.0, 1.0 + 2 * every, every) == pytest.approx(1.0 + 3 * every)  # afresh
    assert frame_interval([]) == MIN_FRAME_INTERVAL
    assert frame_interval([0.010, 0.012, 0.011]) == MIN_FRAME_INTERVAL  # cheap: 30 a second
    assert frame_interval([0.04, 0.04, 0.9, 0.04, 0.04]) == pytest.approx(0.04 / GUI_SHARE)
    assert frame_interval([5.0]) == MAX_FRAME_INTERVAL


def test_the_process_sends_at_most_frame_rate_frames_a_second():
    pace = SendPace()
    pace.start(10.0)
    sent, now = 0, 10.0
    while now < 12.0:  # training as fast as it goes: a look at the clock every millisecond
        if pace.frame_due(now):
            pace.frame_sent(now)
            sent += 1
        assert pace.wait(now) == 0.0  # unpaced: training never waits
        now += 0.001
    assert sent == pytest.approx(2 * FRAME_RATE, abs=1)


def test_a_set_speed_trains_its_epochs_then_waits_for_the_frame():
    pace = SendPace()
    pace.set_speed(3)
    pace.start(0.0)
    assert not pace.frame_due(0.0)  # its epochs first
    for _ in range(3):
        assert not pace.paced_out
        pace.epoch_done()
    assert pace.paced_out and pace.frame_due(0.0)
    pace.frame_sent(0.0)
    assert not pace.paced_out
    for _ in range(3):
        pace.epoch_done()
    assert not pace.frame_due(0.01)  # epochs done early: wait for the frame's time
    assert pace.wait(0.01) == pytest.approx(1 / FRAME_RATE - 0.01)
    assert pace.frame_due(1 / FRAME_RATE)


def test_views_take_at_most_their_budget():
    views = ViewsPace()
    assert views.due(0.0)
    views.took(1.0, 1.02)  # 20 ms of views
    assert not views.due(1.0 + 0.02 / VIEWS_BUDGET - 0.001)
    assert views.due(1.0 + 0.02 / VIEWS_BUDGET + 1e-9)
    assert views.wait(1.1) == pytest.approx(1.0 + 0.02 / VIEWS_BUDGET - 1.1)
    assert views.wait(2.0) == 0.0


def test_the_window_takes_frames_as_their_cost_allows():
    pace = DeliveryPace()
    assert pace.wait(5.0) == 0.0
    pace.delivered(5.0, cpu=1.0)  # the first: nothing to measure yet
    assert pace.wait(5.0) == pytest.approx(MIN_FRAME_INTERVAL)
    now, cpu = 5.0, 1.0
    for _ in range(5):  # frames that cost the GUI thread 40 ms each
        now += pace.wait(now)
        cpu += 0.04
        pace.delivered(now, cpu)
    assert pace.wait(now) == pytest.approx(0.04 / GUI_SHARE)
    pace.delivered(now + 2 * MAX_FRAME_INTERVAL, cpu + 1.0)  # after a pause: measured afresh
    assert pace.wait(now + 2 * MAX_FRAME_INTERVAL) == pytest.approx(MIN_FRAME_INTERVAL)


def test_merged_frames_keep_every_row_and_the_newest_state():
    older = Frame(1, ("row 1", "row 2"), "old snapshot", "old views", "old confusion")
    newer = Frame(1, ("row 3",), "new snapshot", None, None)
    merged = merge_frames(older, newer)
    assert merged.rows == ("row 1", "row 2", "row 3")
    assert (merged.snapshot, merged.views, merged.confusion) == (
        "new snapshot",
        "old views",
        "old confusion",
    )
    assert merge_frames(older, Frame(1, (), "s", "new views", "c")).views == "new views"


def test_a_panel_draws_within_its_share_of_the_gui_thread():
    cheap, heavy = DrawPace(), DrawPace()
    assert cheap.wait(0.0) == heavy.wait(0.0) == 0.0  # never drawn: now
    cheap.drew(1.0, 0.001)
    heavy.drew(1.0, 0.004)
    heavy.add(0.004)  # its repaint, a turn later
    assert cheap.wait(1.0) == pytest.approx(1 / FRAME_RATE)  # cheap: every frame
    assert heavy.wait(1.0) == pytest.approx(0.008 / PANEL_SHARE)  # heavy: less often
    assert heavy.wait(1.0 + 0.008 / PANEL_SHARE) == 0.0
