"""The browser front doors: a clinicians' form (app.py, served by server.py) and the patients' static site pages."""
