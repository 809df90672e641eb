"""SocketLab's engine: TCP server, TCP client and UDP endpoints, GUI-free.

Each running endpoint owns one worker thread that multiplexes its sockets with
``selectors``; front-ends call ``start``/``send``/``stop`` (thread-safe, returning
at once) and read :mod:`netcore.events` from an :class:`EventQueue`.
"""

from netcore.eventqueue import EventQueue
from netcore.tcp_client import TcpClient, TcpClientConfig
from netcore.tcp_server import TcpServer, TcpServerConfig
from netcore.udp import UdpConfig, UdpEndpoint
from netcore.validation import InputError

__all__ = [
    "EventQueue",
    "InputError",
    "TcpClient",
    "TcpClientConfig",
    "TcpServer",
    "TcpServerConfig",
    "UdpConfig",
    "UdpEndpoint",
]
