"""Reliability suites for order-saga: crash, takeover, outage, provider faults, hostile input.

Run through the Scripts/*-test.sh wrappers; see RELIABILITY.md.
"""
