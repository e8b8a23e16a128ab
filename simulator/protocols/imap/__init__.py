"""IMAP engines (RFC 3501 IMAP4rev1, RFC 9051 IMAP4rev2): syntax, server, concurrency."""
