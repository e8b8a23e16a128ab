"""mailsim: an educational, interactive simulator of the e-mail protocols.

Layers (dependencies point one way, see DESIGN.md):
``protocols`` (sans-IO engines) ← ``mail`` (message store, MIME) ←
``network`` / ``server`` (drivers) ← ``trace`` consumers (CLI, widgets, plots, quizzes).
"""
__version__ = "0.1.0"
