"""The Python code behind each tab: short standard-library scripts for a lesson.

:func:`python_code` returns a runnable Python 3 script that does what a SocketLab
tab (or CLI command) does with the same settings, written the way the classic
socket tutorials teach it: ``socket → bind → listen → accept → recv/send → close``
with ``with`` blocks, one thread per client, ``sendto``/``recvfrom`` for UDP.
The auto-replies behave like :mod:`netcore.replies` (echo, hello, time).

Pure: no sockets, no Tk. Every value put into a script is validated first and
inserted as ``repr`` of a clean value, so nothing typed in a field can become code.
"""

from __future__ import annotations

import re
from string import Template

from netcore.lesson_styles import STYLES, styled_code
from netcore.payload import ENCODINGS
from netcore.validation import (
    InputError,
    check_host,
    check_port,
    check_timeout,
    input_error,
    is_ipv6,
    parse_host_port,
)

KINDS = ("tcp_server", "tcp_client", "udp")
"""What :func:`python_code` can write: the three tab kinds."""
LESSON_REPLIES = ("none", "echo", "hello", "time")
"""The auto-replies a script can do (a custom template has no lesson script)."""
DEFAULTS: dict[str, tuple[str, int]] = {"tcp_server": ("0.0.0.0", 9000), "tcp_client": ("127.0.0.1", 9000),
                                        "udp": ("0.0.0.0", 9001)}
"""Host and port per kind when none is given (the tabs' first-start values)."""

_SAFE_HOST = re.compile(r"[A-Za-z0-9_.:%-]+")
_IND = " " * 12  # statements inside the receive loop

_SERVER = Template('''\
"""A threaded TCP server that $what.

The classic lesson: socket, bind, listen, then accept clients and give each its
own thread. Made by SocketLab.
$try_it
"""

$imports
HOST = $host  # the address to listen on$host_note
PORT = $port  # the port clients connect to (0: the OS picks a free one)
ENCODING = $encoding  # how received bytes are shown as text$helpers


def handle(conn, addr):
    """Talk to one client, in its own thread."""
    with conn:  # close() the connection when this block ends
$greeting        while True:
            data = conn.recv(1024)  # recv(): wait for bytes; b'' means the client closed
            if not data:
                break
            print(addr, 'sent', repr(data.decode(ENCODING, 'replace')))
$answer    print(addr, 'closed')


def main():
    # socket(): a TCP socket (SOCK_STREAM) for $ip
    with socket.socket($family, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart at once after a stop
        server.bind((HOST, PORT))  # bind(): take this address and port
        server.listen()  # listen(): from now on clients can connect
        host, port = server.getsockname()[:2]
        print(f'Listening on {host}:{port}')
        while True:
            conn, addr = server.accept()  # accept(): wait for a client; returns a new socket for it
            print(addr, 'connected')
            # one thread per client, as in the tutorial (SocketLab uses one selectors thread)
            threading.Thread(target=handle, args=(conn, addr), daemon=True).start()


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:  # Ctrl+C
        print('Stopped.')
''')

_CLIENT = Template('''\
"""A TCP client: connect, send one line, print the answer, close.

Made by SocketLab. Start a server first (the TCP Server tab, or
$cli tcp-server --port $port --reply hello), then run this.
"""

import socket

HOST = $host  # the server's address
PORT = $port  # the server's port
TIMEOUT = $timeout  # seconds to wait for connect() and for each recv()
ENCODING = $encoding  # how text becomes bytes and back
MESSAGE = 'Bob\\n'  # one line; a hello server answers 'Hello, Bob!'


def show(data):
    """Print received bytes as text."""
    print(data.decode(ENCODING, 'replace'), end='')


def main():
    # create_connection(): socket() and connect() in one, giving up after TIMEOUT
    with socket.create_connection((HOST, PORT), timeout=TIMEOUT) as sock:
        print('Connected from', sock.getsockname()[:2], 'to', sock.getpeername()[:2])
        sock.sendall(MESSAGE.encode(ENCODING))  # sendall(): send every byte of the line
        try:
            show(sock.recv(1024))  # recv(): the first bytes of the answer
            sock.shutdown(socket.SHUT_WR)  # shutdown(): send FIN, "I am done sending"
            while True:
                data = sock.recv(1024)  # the rest, until the server closes (b'')
                if not data:
                    break
                show(data)
        except TimeoutError:  # no answer in time
            print(f'No answer within {TIMEOUT} s.')
    # leaving the with block called close()


if __name__ == '__main__':
    main()
''')

_UDP = Template('''\
"""A UDP endpoint that $what.

UDP has no connections: bind, then recvfrom() one datagram at a time, and
sendto() an address. Made by SocketLab.
$try_it
"""

$imports
HOST = $host  # the address to receive on$host_note
PORT = $port  # the port others send to (0: the OS picks a free one)
ENCODING = $encoding  # how received bytes are shown as text$target$helpers


def main():
    # socket(): a UDP socket (SOCK_DGRAM) for $ip
    with socket.socket($family, socket.SOCK_DGRAM) as sock:
$broadcast        sock.bind((HOST, PORT))  # bind(): receive what is sent to this address and port
        host, port = sock.getsockname()[:2]
        print(f'Bound to {host}:{port} (UDP)')
$send        while True:
            data, addr = sock.recvfrom(65535)  # recvfrom(): one datagram, and who sent it
            print(addr, 'sent', repr(data.decode(ENCODING, 'replace')))
$answer

if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:  # Ctrl+C
        print('Stopped.')
''')

_HELLO = '''


def hello(data):
    """'Hello, <name>!' for each line of data, keeping the line's ending.

    Returns (answer, done); done is True after a line 'exit' (answered 'Good bye!').
    """
    answer = b''
    for line in io.BytesIO(data):  # lines split after each b'\\n' only
        name = line.removesuffix(b'\\n').removesuffix(b'\\r')
        ending = line[len(name):]  # b'\\n', b'\\r\\n' or b'' (an unfinished line)
        if name == b'exit':
            return answer + b'Good bye!' + ending, True
        answer += b'Hello, ' + name + b'!' + ending
    return answer, False'''

_STAMP = _IND + "stamp = time.strftime('[%Y-%m-%d %H:%M:%S] ')  # the local time, like a ctime server\n"

_WHAT = {
    "none": "prints what arrives",
    "echo": "sends back whatever arrives (echo)",
    "hello": "says Welcome!, answers Hello, <name>! per line, ends on exit",
    "time": "sends back each message with the time in front",
}
_UDP_HELLO = "answers Hello, <name>! per line (Good bye! for exit)"
_TARGET = """
TARGET = {target!r}  # where this script sends (the tab's "Send to")
MESSAGE = 'hello\\n'  # one datagram; each sendto() is one datagram"""
_SEND = ("        sock.sendto(MESSAGE.encode(ENCODING), TARGET)  # sendto(): one datagram to TARGET\n"
         "        print('Sent', repr(MESSAGE), 'to', TARGET)\n")
_BROADCAST = ("        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)"
              "  # allow sending to broadcast addresses\n")

_TCP_ANSWERS = {
    "none": "",
    "echo": _IND + "conn.sendall(data)  # sendall(): send the same bytes back\n",
    "hello": _IND + "answer, done = hello(data)\n"
    + _IND + "conn.sendall(answer)  # sendall(): send every byte of the answer\n"
    + _IND + "if done:  # the client said exit\n" + _IND + "    break\n",
    "time": _STAMP + _IND + "conn.sendall(stamp.encode('ascii') + data)  # sendall(): time + message\n",
}

_UDP_ANSWERS = {
    "none": "",
    "echo": _IND + "sock.sendto(data, addr)  # sendto(): the same bytes back to the sender\n",
    "hello": _IND + "answer, _ = hello(data)  # no connection to close after exit\n"
    + _IND + "if answer:\n" + _IND + "    sock.sendto(answer, addr)  # sendto(): back to the sender\n",
    "time": _STAMP + _IND + "sock.sendto(stamp.encode('ascii') + data, addr)  # sendto(): time + message\n",
}


def python_code(kind: str, host: str, port: object, reply: str = "none", encoding: str = "utf-8",
                timeout: object = 5.0, *, target: str | None = None, broadcast: bool = False,
                cli: str = "python main.py", style: str = "threads") -> str:
    """A runnable script doing what the ``kind`` tab does with these settings.

    ``kind`` is one of :data:`KINDS`, ``reply`` one of :data:`LESSON_REPLIES`
    (ignored by the client). For UDP, ``target`` (``host:port``) is where the
    script sends a datagram first, as the tab's "Send to", and ``broadcast`` sets
    ``SO_BROADCAST``. ``cli`` is how the reader starts SocketLab's command line
    (``socketlab-cli`` for the executable). ``style`` is one of :data:`STYLES`:
    threads as the tutorials teach (the default), ``selectors`` as SocketLab works,
    or ``asyncio``. Raises :class:`InputError` naming a bad field and ``ValueError``
    for an unknown kind or style.
    """
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}: choose one of {', '.join(STYLES)}")
    clean_host, clean_port = _safe_host(host), check_port(port)
    clean_encoding, clean_reply = _check_encoding(encoding), _check_reply(reply)
    values = {"host": repr(clean_host), "port": repr(clean_port), "encoding": repr(clean_encoding)}
    if kind == "tcp_client":
        values.update(timeout=repr(check_timeout(timeout)), cli=_safe_cli(cli))
        return _CLIENT.substitute(values) if style == "threads" else styled_code(style, kind, values, "none")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: choose one of {', '.join(KINDS)}")
    udp = kind == "udp"
    values.update(_family(clean_host), imports=_imports(clean_reply, udp), host_note=_host_note(clean_host),
                  what=_UDP_HELLO if udp and clean_reply == "hello" else _WHAT[clean_reply],
                  helpers=_HELLO if clean_reply == "hello" else "", try_it=_try_it(clean_host, clean_port, udp))
    if udp:
        clean_target = _check_target(target)
        if clean_target is not None:
            values["what"] = f"sends a line to TARGET, then {values['what']}"
        values["target"] = _TARGET.format(target=clean_target) if clean_target else ""
        if style != "threads":
            return styled_code(style, kind, values, clean_reply, udp_target=clean_target is not None,
                               broadcast=broadcast)
        return _UDP.substitute(values, answer=_UDP_ANSWERS[clean_reply], broadcast=_BROADCAST if broadcast else "",
                               send=_SEND if clean_target else "")
    if style != "threads":
        return styled_code(style, kind, values, clean_reply)
    greeting = "        conn.sendall(b'Welcome!\\n')  # greet the client first\n" if clean_reply == "hello" else ""
    return _SERVER.substitute(values, answer=_TCP_ANSWERS[clean_reply], greeting=greeting)


def _check_target(target: str | None) -> tuple[str, int] | None:
    """``host:port`` checked (and its host safe to insert), or None for no target."""
    if target is None or not target.strip():
        return None
    host, port = parse_host_port(target, "target")
    if not _SAFE_HOST.fullmatch(host):
        raise input_error("host_malformed", {"field": "target", "value": target.strip()})
    return host, port


def _safe_cli(cli: str) -> str:
    return cli if re.fullmatch(r"[A-Za-z0-9_. -]+", cli) else "python main.py"


def _safe_host(host: str) -> str:
    """:func:`check_host`, and only characters an address or a host name has."""
    clean = check_host(host)
    if not _SAFE_HOST.fullmatch(clean):
        raise input_error("host_malformed", {"field": "host", "value": host.strip()})
    return clean


def _check_encoding(encoding: str) -> str:
    if encoding not in ENCODINGS:
        raise InputError("encoding", f"Unknown encoding {encoding!r}.", "unknown_encoding", {"encoding": encoding})
    return encoding


def _check_reply(reply: str) -> str:
    if reply not in LESSON_REPLIES:
        choices = ", ".join(LESSON_REPLIES)
        raise InputError("reply", f"Unknown auto-reply {reply!r}: choose one of {choices}.", "unknown_reply",
                         {"kind": reply, "choices": choices})
    return reply


def _family(host: str) -> dict[str, str]:
    if is_ipv6(host):
        return {"family": "socket.AF_INET6", "ip": "IPv6 (AF_INET6)"}
    return {"family": "socket.AF_INET", "ip": "IPv4 (AF_INET)"}


def _imports(reply: str, udp: bool) -> str:
    """The import lines the script needs, sorted as isort would."""
    modules = {"socket"} | ({"io"} if reply == "hello" else set()) | ({"time"} if reply == "time" else set())
    if not udp:
        modules.add("threading")
    return "".join(f"import {name}\n" for name in sorted(modules))


def _host_note(host: str) -> str:
    notes = {"0.0.0.0": " ('0.0.0.0': every IPv4 address here)", "::": " ('::': every address here)"}
    return notes.get(host, "")


def _try_it(host: str, port: int, udp: bool) -> str:
    """The line that says how to talk to the script from another terminal."""
    target = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    shown = str(port) if port else "PORT"
    nc = f"nc -u {target} {shown}" if udp else f"nc {target} {shown}"
    first = "Run it" if port else "Run it (it prints the PORT it got)"
    return f"{first}, then from another terminal: {nc}"
