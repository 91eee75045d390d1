"""Digests: a daily or weekly e-mail per person (and a Slack message per workspace) summing up what
needs an answer, the deadlines missed, the alerts, the trending topics and the period's figures."""
