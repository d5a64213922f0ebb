"""Every write in e-participation, one module per concept.

Each public function runs in one transaction, records an audit event in it, and schedules side
effects (emails) with ``transaction.on_commit``. Status fields change only through the transition
functions here, which check the lifecycles in ``civitas.participation.lifecycles``.
"""
