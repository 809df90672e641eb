"""The lesson scripts written two more ways: with ``selectors`` and with ``asyncio``.

:mod:`netcore.lessons` writes the threaded scripts the tutorials teach and calls
:func:`styled_code` for the other two styles, passing the same checked values
(host, port, encoding, the hello helper…). Each script here does exactly what the
threaded one does, byte for byte on the wire:

- ``selectors``: how SocketLab itself works. Every socket is non-blocking, one
  ``selectors.DefaultSelector`` says which can be read or written, and each TCP
  connection keeps its own buffer of bytes still to send.
- ``asyncio``: ``asyncio.start_server`` / ``asyncio.open_connection`` with a
  reader and a writer, and a ``DatagramProtocol`` for UDP (on a socket the script
  binds itself, so an empty datagram can be echoed: asyncio before Python 3.13
  drops one in ``transport.sendto``).

Pure: text templates only, no sockets.
"""

from __future__ import annotations

from string import Template

STYLES = ("threads", "selectors", "asyncio")
"""How a script can be written; ``threads`` is the tutorials' way and the default."""

_MAIN = '''

if __name__ == '__main__':
    try:
        $run
    except KeyboardInterrupt:  # Ctrl+C
        print('Stopped.')
'''

_SEL_SERVER = Template('''\
"""A TCP server that $what.

Written with one thread and a selector, the way SocketLab itself works: every
socket is non-blocking, and the selector says which sockets can be read or
written now. Each client has its own buffer of bytes still to send. Made by
SocketLab.
$try_it
"""

$imports
HOST = $host  # the address to listen on$host_note
PORT = $port  # the port clients connect to (0: the OS picks a free one)
ENCODING = $encoding  # how received bytes are shown as text$helpers


selector = selectors.DefaultSelector()  # epoll, kqueue or select, whichever is best here


class Client:
    """One connection: its socket, the client's address, the bytes still to send."""

    def __init__(self, conn, addr):
        self.conn, self.addr = conn, addr
        self.outbox = bytearray()  # sent when the socket can take them
        self.closing = False  # True: read no more, close once the outbox is sent


def accept(server):
    try:
        conn, addr = server.accept()  # accept(): the selector said a client waits, so no waiting
    except OSError as error:  # e.g. the client gave up already
        print('accept() failed:', error)
        return
    print(addr, 'connected')
    conn.setblocking(False)  # recv() and send() must never wait either
    client = Client(conn, addr)
$greeting    selector.register(conn, selectors.EVENT_READ, client)
    update(client)


def serve(client, mask):
    """The selector said this client's socket is ready: read, send, or both."""
    try:
        if mask & selectors.EVENT_READ:
            data = client.conn.recv(1024)  # recv(): bytes are there; b'' means the client closed
            if not data:
                client.closing = True
            else:
                print(client.addr, 'sent', repr(data.decode(ENCODING, 'replace')))
$answer        if mask & selectors.EVENT_WRITE and client.outbox:
            sent = client.conn.send(client.outbox)  # send(): as many bytes as the kernel takes now
            del client.outbox[:sent]  # the rest waits for the next "writable"
    except OSError as error:  # e.g. reset by the client: drop this one only
        print(client.addr, 'error:', error)
        client.closing, client.outbox = True, bytearray()
    update(client)


def update(client):
    """Tell the selector what to wait for: reading, and writing while bytes wait."""
    events = selectors.EVENT_WRITE if client.outbox else 0
    if not client.closing:
        events |= selectors.EVENT_READ
    if events:
        selector.modify(client.conn, events, client)
        return
    selector.unregister(client.conn)
    client.conn.close()  # close(): everything is sent, the connection is done
    print(client.addr, 'closed')


def main():
    # socket(): a TCP socket (SOCK_STREAM) for $ip
    with socket.socket($family, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart at once after a stop
        server.bind((HOST, PORT))  # bind(): take this address and port
        server.listen()  # listen(): from now on clients can connect
        server.setblocking(False)  # accept() must not wait: the selector says when
        selector.register(server, selectors.EVENT_READ)  # readable = a client is waiting
        host, port = server.getsockname()[:2]
        print(f'Listening on {host}:{port}')
        while True:
            for key, mask in selector.select():  # wait until some socket is ready
                if key.data is None:  # the listening socket: a client is waiting
                    accept(server)
                else:
                    serve(key.data, mask)
''' + _MAIN.replace("$run", "main()"))

_ASYNC_SERVER = Template('''\
"""A TCP server that $what.

Written with asyncio: start_server() does socket, bind and listen, then runs
handle() for each client it accepts. While one client waits at an await, the
others are served: one thread, many clients. Made by SocketLab.
$try_it
"""

$imports
HOST = $host  # the address to listen on$host_note
PORT = $port  # the port clients connect to (0: the OS picks a free one)
ENCODING = $encoding  # how received bytes are shown as text$helpers


async def handle(reader, writer):
    """Talk to one client: asyncio runs one of these per accepted connection."""
    addr = writer.get_extra_info('peername')
    print(addr, 'connected')
    try:
$greeting        while True:
            data = await reader.read(1024)  # like recv(): wait for bytes; b'' means the client closed
            if not data:
                break
            print(addr, 'sent', repr(data.decode(ENCODING, 'replace')))
$answer    except ConnectionError as error:  # e.g. reset by the client
        print(addr, 'error:', error)
    finally:
        writer.close()  # close(): the rest is sent, then the connection closes
    print(addr, 'closed')


async def main():
    # start_server(): socket(), bind() and listen() in one (SO_REUSEADDR is on by default)
    server = await asyncio.start_server(handle, HOST, PORT)
    for sock in server.sockets:
        host, port = sock.getsockname()[:2]
        print(f'Listening on {host}:{port}')
    async with server:
        await server.serve_forever()  # accept() clients until Ctrl+C
''' + _MAIN.replace("$run", "asyncio.run(main())"))

_SEL_CLIENT = Template('''\
"""A TCP client with a selector: connect, send one line, print the answer, close.

This is how SocketLab itself works: the socket is non-blocking and a selector
says when it is connected, when it can send and when bytes are there. Made by
SocketLab. Start a server first (the TCP Server tab, or
$cli tcp-server --port $port --reply hello), then run this.
"""

import os
import selectors
import socket

HOST = $host  # the server's address
PORT = $port  # the server's port
TIMEOUT = $timeout  # seconds to wait for the connection and for each answer
ENCODING = $encoding  # how text becomes bytes and back
MESSAGE = 'Bob\\n'  # one line; a hello server answers 'Hello, Bob!'


def show(data):
    """Print received bytes as text."""
    print(data.decode(ENCODING, 'replace'), end='')


def main():
    # getaddrinfo(): the server's address as the socket needs it (a name becomes an IP)
    family, kind, proto, _, address = socket.getaddrinfo(HOST, PORT, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as sock, selectors.DefaultSelector() as selector:
        sock.setblocking(False)  # no call waits: the selector says when
        sock.connect_ex(address)  # connect(): starts the handshake and returns at once
        selector.register(sock, selectors.EVENT_WRITE)  # writable = the handshake is over
        if not selector.select(TIMEOUT):
            print(f'No connection within {TIMEOUT} s.')
            return
        error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)  # 0: connected
        if error:
            raise OSError(error, os.strerror(error))  # e.g. ConnectionRefusedError
        print('Connected from', sock.getsockname()[:2], 'to', sock.getpeername()[:2])
        outbox = MESSAGE.encode(ENCODING)
        answered = False
        while selector.select(TIMEOUT):  # until nothing happens for TIMEOUT seconds
            if outbox:  # writable: send what the kernel takes
                outbox = outbox[sock.send(outbox):]  # send(): returns how many bytes it took
                if not outbox:
                    selector.modify(sock, selectors.EVENT_READ)  # all sent: now wait for the answer
                continue
            data = sock.recv(1024)  # recv(): bytes are there; b'' means the server closed
            if not data:
                return  # leaving the with block calls close()
            show(data)
            if not answered:  # the first bytes of the answer came
                sock.shutdown(socket.SHUT_WR)  # shutdown(): send FIN, "I am done sending"
                answered = True
        print(f'No answer within {TIMEOUT} s.')


if __name__ == '__main__':
    main()
''')

_ASYNC_CLIENT = Template('''\
"""A TCP client with asyncio: connect, send one line, print the answer, close.

asyncio.open_connection() gives a reader and a writer; every wait is an await,
bounded by asyncio.wait_for(). Made by SocketLab. Start a server first (the TCP
Server tab, or $cli tcp-server --port $port --reply hello), then run this.
"""

import asyncio

HOST = $host  # the server's address
PORT = $port  # the server's port
TIMEOUT = $timeout  # seconds to wait for the connection and for each answer
ENCODING = $encoding  # how text becomes bytes and back
MESSAGE = 'Bob\\n'  # one line; a hello server answers 'Hello, Bob!'


def show(data):
    """Print received bytes as text."""
    print(data.decode(ENCODING, 'replace'), end='')


async def main():
    try:
        # open_connection(): socket() and connect() in one
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, PORT), TIMEOUT)
    except asyncio.TimeoutError:
        print(f'No connection within {TIMEOUT} s.')
        return
    print('Connected from', writer.get_extra_info('sockname')[:2], 'to', writer.get_extra_info('peername')[:2])
    writer.write(MESSAGE.encode(ENCODING))  # like sendall(): every byte of the line
    await writer.drain()  # wait until the kernel has taken them
    try:
        show(await asyncio.wait_for(reader.read(1024), TIMEOUT))  # like recv(): the first bytes of the answer
        writer.write_eof()  # like shutdown(SHUT_WR): send FIN, "I am done sending"
        while True:
            data = await asyncio.wait_for(reader.read(1024), TIMEOUT)  # the rest, until the server closes
            if not data:
                break
            show(data)
    except asyncio.TimeoutError:  # no answer in time
        print(f'No answer within {TIMEOUT} s.')
    writer.close()  # close()
    await writer.wait_closed()


if __name__ == '__main__':
    asyncio.run(main())
''')

_SEL_UDP = Template('''\
"""A UDP endpoint that $what.

Written with a selector, the way SocketLab itself works: the socket is
non-blocking and the selector says when a datagram is there and when one can
be sent. UDP has no connections: recvfrom() one datagram, sendto() an address.
Made by SocketLab.
$try_it
"""

$imports
HOST = $host  # the address to receive on$host_note
PORT = $port  # the port others send to (0: the OS picks a free one)
ENCODING = $encoding  # how received bytes are shown as text$target$helpers


def receive(sock, outbox):
    """Read one datagram (an answer goes in the outbox, sent when the socket can)."""
    data, addr = sock.recvfrom(65535)  # recvfrom(): one datagram, and who sent it
    print(addr, 'sent', repr(data.decode(ENCODING, 'replace')))
$answer

def main():
    # socket(): a UDP socket (SOCK_DGRAM) for $ip
    with socket.socket($family, socket.SOCK_DGRAM) as sock, selectors.DefaultSelector() as selector:
$broadcast        sock.bind((HOST, PORT))  # bind(): receive what is sent to this address and port
        sock.setblocking(False)  # recvfrom() and sendto() must never wait: the selector says when
        host, port = sock.getsockname()[:2]
        print(f'Bound to {host}:{port} (UDP)')
$send        outbox = collections.deque()  # (datagram, address) pairs waiting to be sent
        selector.register(sock, selectors.EVENT_READ)
        while True:
            for _key, mask in selector.select():  # wait until the socket is ready
                if mask & selectors.EVENT_READ:
                    receive(sock, outbox)
                if mask & selectors.EVENT_WRITE and outbox:
                    sock.sendto(*outbox.popleft())  # sendto(): one whole datagram
                writable = selectors.EVENT_WRITE if outbox else 0
                selector.modify(sock, selectors.EVENT_READ | writable)
''' + _MAIN.replace("$run", "main()"))

_ASYNC_UDP = Template('''\
"""A UDP endpoint that $what.

Written with asyncio: socket() and bind() as usual, then asyncio reads the
socket and calls datagram_received() for each datagram. UDP has no
connections: each datagram comes with its sender's address, and sendto()
answers there. Made by SocketLab.
$try_it
"""

$imports
HOST = $host  # the address to receive on$host_note
PORT = $port  # the port others send to (0: the OS picks a free one)
ENCODING = $encoding  # how received bytes are shown as text$target$helpers


class Endpoint(asyncio.DatagramProtocol):
    """What asyncio calls for this UDP socket."""

    def __init__(self, sock):
        self.sock = sock  # the bound socket itself
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport  # transport.sendto() sends from the socket, without waiting

    def datagram_received(self, data, addr):  # like recvfrom(): one datagram, and who sent it
        print(addr, 'sent', repr(data.decode(ENCODING, 'replace')))
$answer

async def main():
    # socket(): a UDP socket (SOCK_DGRAM) for $ip
    sock = socket.socket($family, socket.SOCK_DGRAM)
$broadcast    sock.bind((HOST, PORT))  # bind(): receive what is sent to this address and port
    host, port = sock.getsockname()[:2]
    print(f'Bound to {host}:{port} (UDP)')
    # create_datagram_endpoint(): asyncio takes the socket (non-blocking) and reads it for us
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: Endpoint(sock), sock=sock)
$send    try:
        await asyncio.Event().wait()  # receive until Ctrl+C
    finally:
        transport.close()  # close()
''' + _MAIN.replace("$run", "asyncio.run(main())"))

_TEMPLATES = {
    ("selectors", "tcp_server"): _SEL_SERVER, ("asyncio", "tcp_server"): _ASYNC_SERVER,
    ("selectors", "tcp_client"): _SEL_CLIENT, ("asyncio", "tcp_client"): _ASYNC_CLIENT,
    ("selectors", "udp"): _SEL_UDP, ("asyncio", "udp"): _ASYNC_UDP,
}

_STAMP = "stamp = time.strftime('[%Y-%m-%d %H:%M:%S] ')  # the local time, like a ctime server"


def _lines(indent: int, *lines: str) -> str:
    return "".join(" " * indent + line + "\n" for line in lines)


_ANSWERS: dict[tuple[str, str], dict[str, str]] = {
    ("selectors", "tcp_server"): {
        "none": "",
        "echo": _lines(16, "client.outbox += data  # send the same bytes back (when the socket can)"),
        "hello": _lines(16, "answer, client.closing = hello(data)  # closing: the client said exit",
                        "client.outbox += answer"),
        "time": _lines(16, _STAMP, "client.outbox += stamp.encode('ascii') + data"),
    },
    ("asyncio", "tcp_server"): {
        "none": "",
        "echo": _lines(12, "writer.write(data)  # like sendall(): the same bytes back",
                       "await writer.drain()  # wait until the kernel has taken them"),
        "hello": _lines(12, "answer, done = hello(data)", "writer.write(answer)  # like sendall(): the whole answer",
                        "await writer.drain()  # wait until the kernel has taken it",
                        "if done:  # the client said exit", "    break"),
        "time": _lines(12, _STAMP, "writer.write(stamp.encode('ascii') + data)  # like sendall(): time + message",
                       "await writer.drain()  # wait until the kernel has taken them"),
    },
    ("selectors", "udp"): {
        "none": "",
        "echo": _lines(4, "outbox.append((data, addr))  # the same bytes back to the sender"),
        "hello": _lines(4, "answer, _ = hello(data)  # no connection to close after exit", "if answer:",
                        "    outbox.append((answer, addr))  # back to the sender"),
        "time": _lines(4, _STAMP, "outbox.append((stamp.encode('ascii') + data, addr))  # time + message"),
    },
    ("asyncio", "udp"): {
        "none": "",
        "echo": _lines(8, "if data:",
                       "    self.transport.sendto(data, addr)  # sendto(): the same bytes back to the sender",
                       "else:  # asyncio before Python 3.13 drops an empty datagram: send it on the socket",
                       "    self.sock.sendto(data, addr)"),
        "hello": _lines(8, "answer, _ = hello(data)  # no connection to close after exit", "if answer:",
                        "    self.transport.sendto(answer, addr)  # sendto(): back to the sender"),
        "time": _lines(8, _STAMP, "self.transport.sendto(stamp.encode('ascii') + data, addr)  # time + message"),
    },
}

_GREETINGS = {
    "selectors": _lines(4, "client.outbox += b'Welcome!\\n'  # greet the client first (sent when it can be)"),
    "asyncio": _lines(8, "writer.write(b'Welcome!\\n')  # greet the client first"),
}

_SENDS = {
    "selectors": _lines(8, "sock.sendto(MESSAGE.encode(ENCODING), TARGET)  # sendto(): one datagram to TARGET",
                        "print('Sent', repr(MESSAGE), 'to', TARGET)"),
    "asyncio": _lines(4, "transport.sendto(MESSAGE.encode(ENCODING), TARGET)  # sendto(): one datagram to TARGET",
                      "print('Sent', repr(MESSAGE), 'to', TARGET)"),
}

_BROADCASTS = {
    "selectors": _lines(8, "sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)"
                           "  # allow sending to broadcast addresses"),
    "asyncio": _lines(4, "sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)"
                         "  # allow sending to broadcast addresses"),
}


def imports(style: str, kind: str, reply: str) -> str:
    """The import lines a ``selectors`` or ``asyncio`` server or UDP script needs, sorted as isort would."""
    base = {"selectors": {"selectors", "socket"}, "asyncio": {"asyncio"}}[style]
    if kind == "udp":
        base.add("collections" if style == "selectors" else "socket")
    extra = {"hello": {"io"}, "time": {"time"}}.get(reply, set())
    return "".join(f"import {name}\n" for name in sorted(base | extra))


def styled_code(style: str, kind: str, values: dict[str, str], reply: str, *, udp_target: bool = False,
                broadcast: bool = False) -> str:
    """The ``kind`` script in ``style`` (``selectors`` or ``asyncio``) from checked ``values``.

    ``values`` holds the fields the threaded templates use (host, port, encoding,
    imports…); ``udp_target`` says that ``values["target"]`` names a first datagram.
    """
    template = _TEMPLATES[(style, kind)]
    if kind == "tcp_client":
        return template.substitute(values)
    more = {"answer": _ANSWERS[(style, kind)][reply], "imports": imports(style, kind, reply)}
    if kind == "tcp_server":
        more["greeting"] = _GREETINGS[style] if reply == "hello" else ""
    else:
        more.update(send=_SENDS[style] if udp_target else "", broadcast=_BROADCASTS[style] if broadcast else "")
    return template.substitute(values, **more)
