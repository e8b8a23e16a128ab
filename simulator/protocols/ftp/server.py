"""The FTP server engine, control connection side (RFC 959, RFC 2428, RFC 3659).

Sans-IO: the driver calls :meth:`FTPServer.initiate` when the control
connection opens, feeds it the client's bytes and writes out
:meth:`data_to_send`.  The data connection is the driver's: a transfer
command returns :class:`~.events.TransferRequested`, and the driver answers
with :meth:`transfer_opened` / :meth:`transfer_failed`, moves the payload, and
ends with :meth:`transfer_done`.  Until then the engine reads no further
command (RFC 959 §5.4: the replies of one command come before the next's).
"""
from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .._base import (
    CommandTable,
    Event,
    LineServer,
    LocalProtocolError,
    TooLong,
)
from . import states as S
from .events import (
    CommandReceived,
    ConnectionClosed,
    FileStored,
    LoggedIn,
    LoginFailed,
    TransferRequested,
)
from .files import BadName, FileStore, Outside, resolve
from .parser import (
    MAX_COMMAND_LINE,
    Command,
    from_ascii,
    lines_block,
    list_line,
    mdtm_stamp,
    mlsd_line,
    parse_command,
    parse_eprt,
    parse_port,
    port_numbers,
    to_ascii,
)
from .replies import ARG_SYNTAX, NO_ARGS, Reply, multiline, reply

#: RFC 959 commands this server knows of but does not offer: 502, not 500 (§4.2).
NOT_IMPLEMENTED = ("ACCT", "SMNT", "REIN", "STOU", "APPE", "ALLO", "REST", "RNFR", "RNTO",
                   "ABOR", "DELE", "RMD", "MKD", "SITE", "STAT", "HELP", "MODE", "STRU",
                   "MLST", "OPTS", "LPRT", "LPSV")

#: The features FEAT announces (RFC 2389 §3): the extensions this engine implements.
FEATURES = ("EPRT", "EPSV", "MDTM", "MLST type*;size*;modify*;", "SIZE")

#: TYPE's argument → the type in force: A (ASCII, the default) or I (image, binary).
TYPES = {"A": "A", "A N": "A", "I": "I", "L 8": "I"}


class FTPBackend(Protocol):
    """What the server needs of its host: the accounts and the passive ports."""

    def login(self, user: str, password: str) -> FileStore | None:
        """The user's files if the password is right, else None."""

    def passive_port(self) -> int | None:
        """A port now listening for this session's next data connection, or None."""


@dataclass(frozen=True)
class FTPConfig:
    """What one FTP server is: its name, the address its 227 replies give, its limits."""

    hostname: str
    address: str = "127.0.0.1"       # where passive data connections go (RFC 959 §4.1.2)
    max_failures: int = 3            # failed logins before the server hangs up (421)
    #: the client's address: PORT/EPRT to any other host is refused (RFC 2577 §3)
    peer_address: str | None = None

    @property
    def family(self) -> str:
        """RFC 2428's number of the data connections' network protocol: "1" IPv4, "2" IPv6."""
        return "2" if isinstance(_ip(self.address), ipaddress.IPv6Address) else "1"


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``address`` as an IP address, so that two spellings of one IPv6 address compare
    equal; None when it is not an address at all."""
    try:
        return ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None


#: verb → handler(session, command) → reply, or None when the data connection decides it.
HANDLERS: CommandTable[Callable[[FTPServer, Command], Reply | None]] = CommandTable("FTP server")


@dataclass(frozen=True)
class _Transfer:
    verb: str
    path: str
    payload: bytes | None


class FTPServer(LineServer):
    """One FTP session, server side (the control connection)."""

    def __init__(self, config: FTPConfig, backend: FTPBackend) -> None:
        super().__init__(MAX_COMMAND_LINE)
        self.config = config
        self.backend = backend
        self.state = S.NOT_LOGGED_IN
        self._user: str | None = None
        self._files: FileStore | None = None
        self._cwd = "/"
        self._type = "A"
        self._failures = 0
        self._data: tuple[bool, str, int] | None = None     # (passive, host, port)
        self._transfer: _Transfer | None = None
        self._override: str | None = None
        self._params: dict[str, Any] = {}

    # -- driver API ---------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.state == S.CLOSED

    @property
    def cwd(self) -> str:
        """The current directory, a virtual path (``/`` is the user's root)."""
        return self._cwd

    def initiate(self) -> list[Event]:
        """Send the greeting, 220 (RFC 959 §5.4: "Connection Establishment")."""
        self._send_reply(reply("greeting", host=self.config.hostname), self.state, self.state)
        return self._take_events()

    def transfer_opened(self) -> list[Event]:
        """The data connection is open: 150, and the payload may flow (RFC 959 §4.2)."""
        transfer = self._expect(S.CONNECTING)
        mode = "BINARY" if self._type == "I" else "ASCII"
        what = transfer.path if transfer.verb in ("RETR", "STOR") else "the directory listing"
        octets = len(transfer.payload) if transfer.payload is not None else None
        self._send_reply(reply("opening", mode=mode, what=what, verb=transfer.verb, octets=octets),
                   S.CONNECTING, S.TRANSFER)
        self.state = S.TRANSFER
        return self._take_events()

    def transfer_failed(self) -> list[Event]:
        """No data connection (425), or it broke during the transfer (426)."""
        if self.state == S.CONNECTING:
            _, host, port = self._data_or_none()
            answer = reply("cannot_open", host=host, port=port,
                           passive=self._data_or_none()[0])
        else:
            self._expect(S.TRANSFER)
            answer = reply("transfer_aborted")
        self._finish(answer)
        return self._take_events()

    def transfer_done(self, received: bytes = b"") -> list[Event]:
        """The data connection closed after the payload (or, for STOR, after ``received``)."""
        transfer = self._expect(S.TRANSFER)
        if transfer.payload is not None:
            answer = reply("transfer_ok", octets=len(transfer.payload), verb=transfer.verb)
        else:
            answer = self._store(transfer.path, received)
        self._finish(answer)
        return self._take_events()

    # -- the command loop ---------------------------------------------------

    def _reading(self) -> bool:
        # Commands sent during a transfer wait for its last reply, and _finish reads them
        # then (ABOR and STAT, which RFC 959 §4.1.3 allows meanwhile, are not offered).
        return not self.closed and self.state not in (S.CONNECTING, S.TRANSFER)

    def _dropped(self) -> None:
        self._transcribe("c2s", b"", self.state, S.CLOSED, "ftp.event.dropped")
        self.state = S.CLOSED
        self._events.append(ConnectionClosed("peer-closed"))

    def _handle(self, line: bytes | TooLong) -> None:
        before = self.state
        self._override, self._params = None, {}
        if self._refuse_unreadable(line, before, "ftp", reply):
            return
        cmd = parse_command(line)
        answer, after = self._dispatch(cmd, before)
        known = cmd.verb in S.ALL_COMMANDS
        self._transcribe("c2s", line, before, after, f"ftp.cmd.{cmd.verb}" if known else "ftp.cmd.unknown",
                     {"verb": cmd.verb, "arg": cmd.arg, **self._params})
        if answer is None:                  # the data connection decides the reply
            self.state = after
            return
        self._send_reply(answer, after, after)
        self.state = after
        self._events.append(CommandReceived(cmd.verb, cmd.args, answer.ok))

    def _dispatch(self, cmd: Command, state: str) -> tuple[Reply | None, str]:
        """The reply and the next state, exactly as the table says."""
        if not cmd.verb:
            return reply("empty_line"), state
        if cmd.verb in NOT_IMPLEMENTED:
            return reply("not_implemented", verb=cmd.verb), state
        if cmd.verb not in S.ALL_COMMANDS:
            return reply("unknown_command", verb=cmd.verb), state
        tr = S.transition(state, cmd.verb)
        if tr is None:
            return self._refused(cmd.verb, state), state
        low, high, needed = ARG_SYNTAX.get(cmd.verb, NO_ARGS)
        count = len(cmd.arg.split()) if cmd.verb == "TYPE" else len(cmd.args)
        if not low <= count <= high:
            return reply("bad_arguments", verb=cmd.verb, needed=needed), state
        answer = HANDLERS[cmd.verb](self, cmd)
        if answer is None:
            return None, tr.on_ok
        if answer.code // 10 == 50:
            # RFC 959 §4.2.1: x0z is a syntax error; the command was not carried out, so
            # nothing changes (a RETR of a name with a TAB keeps PASV's data setup, as a
            # RETR without its argument does).
            return answer, self._override or state
        return answer, self._override or (tr.on_ok if answer.ok else tr.on_failure)

    def _refused(self, verb: str, state: str) -> Reply:
        """Why a known command is not allowed now: no login (530), PASS without USER (503),
        a transfer without PORT/PASV (425), anything else out of order (503)."""
        if state in (S.NOT_LOGGED_IN, S.NEED_PASSWORD):
            return reply("pass_first_user") if verb == "PASS" else reply("not_logged_in")
        if verb in S.TRANSFERS:
            return reply("no_data_setup")
        allowed = ", ".join(S.allowed(state)) or "none"
        return reply("wrong_state", verb=verb, state=state, allowed=allowed)

    def _path(self, arg: str) -> str | Reply:
        """``arg`` as an absolute virtual path, or the reply that refuses it."""
        try:
            return resolve(self._cwd, arg)
        except Outside:
            return reply("outside_home", arg=arg)
        except BadName:
            return reply("control_char")

    # -- login (RFC 959 §4.1.1) ---------------------------------------------

    @HANDLERS.command("USER")
    def _do_user(self, cmd: Command) -> Reply:
        # 331 for any name: telling "no such user" here would let anyone list accounts.
        self._user, self._files, self._cwd = cmd.arg, None, "/"
        return reply("user_ok", user=cmd.arg)

    @HANDLERS.command("PASS")
    def _do_pass(self, cmd: Command) -> Reply:
        user = self._user or ""
        files = self.backend.login(user, cmd.arg)
        if files is None:
            self._failures += 1
            self._events.append(LoginFailed(user))
            if self._failures >= self.config.max_failures:
                self._override = S.CLOSED
                self._events.append(ConnectionClosed("too-many-failures"))
                return reply("too_many_failures", failures=self._failures)
            return reply("login_failed", failures=self._failures)
        self._files = files
        self._events.append(LoggedIn(user))
        return reply("login_ok", user=user)

    @HANDLERS.command("QUIT")
    def _do_quit(self, cmd: Command) -> Reply:
        self._events.append(ConnectionClosed("quit"))
        return reply("quit")

    @HANDLERS.command("NOOP")
    def _do_noop(self, cmd: Command) -> Reply:
        return reply("noop")

    @HANDLERS.command("SYST")
    def _do_syst(self, cmd: Command) -> Reply:
        return reply("syst")

    @HANDLERS.command("FEAT")
    def _do_feat(self, cmd: Command) -> Reply:
        """RFC 2389 §3.2: one feature per line, each line starting with a space."""
        return multiline("feat", "feat_end", FEATURES, features=list(FEATURES))

    # -- where we are, how bytes travel (RFC 959 §4.1.1, §4.1.2, §3.1.1) ----------

    @HANDLERS.command("PWD")
    def _do_pwd(self, cmd: Command) -> Reply:
        # RFC 959 appendix II: a double quote inside the name is doubled.
        return reply("pwd", path=self._cwd.replace('"', '""'))

    @HANDLERS.command("CWD")
    def _do_cwd(self, cmd: Command) -> Reply:
        return self._change_dir(cmd.arg)

    @HANDLERS.command("CDUP")
    def _do_cdup(self, cmd: Command) -> Reply:
        return self._change_dir("..") if self._cwd != "/" else reply("cwd_ok", path="/")

    def _change_dir(self, arg: str) -> Reply:
        path = self._path(arg)
        if isinstance(path, Reply):
            return path
        entry = self._store_of().entry(path)
        if entry is None or not entry.is_dir:
            return reply("no_such_dir", path=path)
        self._cwd = path
        return reply("cwd_ok", path=path)

    @HANDLERS.command("TYPE")
    def _do_type(self, cmd: Command) -> Reply:
        wanted = " ".join(cmd.arg.upper().split())
        if wanted not in TYPES:
            return reply("type_unknown", type=cmd.arg)
        self._type = TYPES[wanted]
        return reply("type_ok", type=self._type, binary=self._type == "I")

    @HANDLERS.command("SIZE")
    def _do_size(self, cmd: Command) -> Reply:
        """RFC 3659 §4: the octets the file would take to transfer in the current TYPE."""
        found = self._file(cmd.arg)
        if isinstance(found, Reply):
            return found
        path, data = found
        sent = to_ascii(data) if self._type == "A" else data
        return reply("size", size=len(sent), path=path, type=self._type,
                     stored=len(data), grown=len(sent) - len(data))

    @HANDLERS.command("MDTM")
    def _do_mdtm(self, cmd: Command) -> Reply:
        """RFC 3659 §3: the modification time, YYYYMMDDHHMMSS in UTC."""
        path = self._path(cmd.arg)
        if isinstance(path, Reply):
            return path
        entry = self._store_of().entry(path)
        if entry is None or entry.is_dir:
            return reply("no_such_file", path=path)
        return reply("mdtm", stamp=mdtm_stamp(entry.modified), path=path)

    # -- the data connection: who opens it (RFC 959 §3.2, §4.1.2; RFC 2428) ------

    @HANDLERS.command("PASV")
    def _do_pasv(self, cmd: Command) -> Reply:
        if self.config.family != "1":           # 227's six numbers hold an IPv4 address only
            return reply("not_implemented", verb="PASV")
        port = self.backend.passive_port()
        if port is None:
            return reply("no_passive_port")
        self._data = (True, self.config.address, port)
        return reply("pasv", numbers=port_numbers(self.config.address, port),
                     host=self.config.address, port=port)

    @HANDLERS.command("EPSV")
    def _do_epsv(self, cmd: Command) -> Reply:
        if cmd.arg.upper() not in ("", "ALL", self.config.family):
            return reply("epsv_protocol", family=self.config.family)
        port = self.backend.passive_port()
        if port is None:
            return reply("no_passive_port")
        self._data = (True, self.config.address, port)
        return reply("epsv", port=port, host=self.config.address)

    @HANDLERS.command("PORT")
    def _do_port(self, cmd: Command) -> Reply:
        found = parse_port(cmd.arg)
        if found is None:
            return reply("port_bad", verb="PORT", arg=cmd.arg)
        return self._active("PORT", *found)

    @HANDLERS.command("EPRT")
    def _do_eprt(self, cmd: Command) -> Reply:
        found = parse_eprt(cmd.arg)
        if found is None:
            return reply("port_bad", verb="EPRT", arg=cmd.arg)
        protocol, host, port = found
        if protocol != self.config.family:
            return reply("eprt_protocol", family=self.config.family)
        return self._active("EPRT", host, port)

    def _active(self, verb: str, host: str, port: int) -> Reply:
        peer = self.config.peer_address
        if peer is not None and (_ip(host) is None or _ip(host) != _ip(peer)):
            return reply("port_foreign", verb=verb, host=host)
        self._data = (False, host, port)
        return reply("port_ok", verb=verb, host=host, port=port)

    # -- transfers (RFC 959 §4.1.3, RFC 3659 §7) --------------------------------

    @HANDLERS.command("LIST", "NLST", "MLSD")
    def _do_listing(self, cmd: Command) -> Reply | None:
        arg = " ".join(w for w in cmd.arg.split(" ") if not w.startswith("-"))  # "LIST -la"
        path = self._path(arg or ".")
        if isinstance(path, Reply):
            return path
        files = self._store_of()
        entry = files.entry(path)
        if entry is None:
            return reply("no_such_dir", path=path)
        if not entry.is_dir and cmd.verb == "MLSD":
            return reply("not_a_directory", path=path)     # RFC 3659 §7.2
        entries = files.listing(path) if entry.is_dir else [entry]
        form = {"LIST": list_line, "MLSD": mlsd_line, "NLST": lambda e: e.name}[cmd.verb]
        self._params.update(entries=len(entries))
        return self._start(cmd.verb, path, lines_block([form(e) for e in entries]))

    @HANDLERS.command("RETR")
    def _do_retr(self, cmd: Command) -> Reply | None:
        found = self._file(cmd.arg)
        if isinstance(found, Reply):
            return found
        path, data = found
        sent = to_ascii(data) if self._type == "A" else data
        self._params.update(type=self._type, stored=len(data), octets=len(sent),
                            grown=len(sent) - len(data))
        return self._start("RETR", path, sent)

    @HANDLERS.command("STOR")
    def _do_stor(self, cmd: Command) -> Reply | None:
        path = self._path(cmd.arg)
        if isinstance(path, Reply):
            return path
        entry = self._store_of().entry(path)
        if entry is not None and entry.is_dir:
            return reply("cannot_store", path=path, reason="a directory has that name")
        self._params.update(type=self._type)
        return self._start("STOR", path, None)

    def _file(self, arg: str) -> tuple[str, bytes] | Reply:
        path = self._path(arg)
        if isinstance(path, Reply):
            return path
        files = self._store_of()
        entry = files.entry(path)
        if entry is None:
            return reply("no_such_file", path=path)
        if entry.is_dir:
            return reply("is_a_directory", path=path)
        return path, files.read(path)

    def _start(self, verb: str, path: str, payload: bytes | None) -> None:
        """Hand the data connection to the driver; its word decides the reply."""
        passive, host, port = self._data_or_none()
        self._transfer = _Transfer(verb, path, payload)
        self._events.append(TransferRequested(verb, path, passive, host, port, payload))

    def _store(self, path: str, received: bytes) -> Reply:
        data = from_ascii(received) if self._type == "A" else received
        why = self._store_of().write(path, data)
        if why is not None:
            return reply("cannot_store", path=path, reason=why)
        self._events.append(FileStored(path, len(data)))
        return reply("stored", path=path, octets=len(data), received=len(received),
                     type=self._type)

    def _finish(self, answer: Reply) -> None:
        """The transfer's last reply; the data setup is used up; read the waiting commands."""
        before = self.state
        self._transfer, self._data = None, None
        self._send_reply(answer, before, S.LOGGED_IN)
        self.state = S.LOGGED_IN
        self._read_lines()

    def _data_or_none(self) -> tuple[bool, str, int]:
        if self._data is None:               # the table makes this unreachable
            raise LocalProtocolError("a transfer without PORT or PASV")
        return self._data

    def _expect(self, state: str) -> _Transfer:
        if self.state != state or self._transfer is None:
            raise LocalProtocolError(f"no transfer is {state.lower()} (state {self.state})")
        return self._transfer

    def _store_of(self) -> FileStore:
        if self._files is None:               # the table makes this unreachable
            raise LocalProtocolError("no files before the login")
        return self._files
