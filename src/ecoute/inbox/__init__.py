"""Triage: the inbox's queries, and (as they come) assignment, statuses, tags, notes and rules."""
