"""People and access: passwords, users and memberships, roles and permissions, sessions, API
tokens and invitations. Every function that touches workspace data takes the workspace first."""
