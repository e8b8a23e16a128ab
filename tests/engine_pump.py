"""Carry bytes between a sans-IO client engine and a server engine (shared by the tests)."""


def pump(client, server, *, bytewise: bool = False, limit: int = 1000) -> None:
    """Move bytes both ways until neither side has anything more to say.

    ``bytewise`` hands the server's output to the client one byte at a time,
    the h11 habit of proving that no reply depends on how TCP splits it.
    """
    for _ in range(limit):
        down, up = server.data_to_send(), client.data_to_send()
        chunks = [down[i:i + 1] for i in range(len(down))] if bytewise else [down] if down else []
        for chunk in chunks:
            client.receive_data(chunk)
        if up:
            server.receive_data(up)
        if not down and not up:
            return
    raise AssertionError("session did not settle")
