"""The browser app (``planner serve``): campaigns in forms, plans in the background, outputs.

It calls the same functions as the command line (:mod:`planner.scenario`,
:mod:`planner.solve`, :mod:`planner.outputs`, :mod:`planner.io`, :mod:`planner.whatif`) and holds
no planning logic of its own. Build it with :func:`planner.web.app.create_app`.
"""
