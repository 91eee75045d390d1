"""The web app: server-rendered pages for people, the REST API for tools (see ``app.create_app``)."""
