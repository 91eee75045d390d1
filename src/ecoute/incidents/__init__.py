"""Incidents: one problem that touches many customers (an outage, an impersonator), its linked
conversations, a timeline of statuses and public statements, statement drafts in French and
English, and a personal update to everyone affected, sent through the reply pipeline.

    incident = records.open_from_alert(session, workspace_id, alert_id, user_id=7, actor="user:7")
"""
