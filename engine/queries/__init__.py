"""The read model: the queries behind the web pages (inbox, case lists, case page, timeline,
notifications, start options, administration lists).

Rules: no Flask here; every page section is one indexed query on projection rows (work items,
cases, events) and never loads a workflow; every query that lists or shows cases applies the
viewer's case scope from `engine.runtime.authz.case_scope`, the same rule the engine's
authorization uses, so a case a person may not open never appears in any list for them.
"""
