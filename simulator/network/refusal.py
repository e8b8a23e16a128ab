"""What a reading session says when no login succeeded (POP3, POP2, IMAP)."""
from __future__ import annotations


def refusal_params(refusal: str, attempts: int, unsent: int) -> dict:
    """The refused summary's params; notes say how often the user tried and which
    scripted commands were therefore never sent (nothing is dropped silently)."""
    params: dict = {"reply": refusal}
    notes = []
    if attempts > 1:
        params["attempts"] = attempts
        notes.append("pop.session.attempts")
    if unsent:
        params["unsent"] = unsent
        notes.append("pop.session.unsent")
    if notes:
        params["notes"] = notes
    return params
