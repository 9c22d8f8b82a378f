"""Running a campaign day by day: the actuals form, freezing what happened, re-planning the rest.

* :mod:`planner.ops.form`: the actuals form of every plan folder and reading it back;
* :mod:`planner.ops.changes`: changes for the days ahead (a team away, an added visit, a
  commune closed);
* :mod:`planner.ops.freeze`: the remaining problem once the past is frozen and the next days
  are kept;
* :mod:`planner.ops.replan`: re-planning with stability;
* :mod:`planner.ops.report`: ``changes.csv`` and the campaign-to-date report;
* the ``planner replan`` command itself is :mod:`planner.cli.replan`.
"""
