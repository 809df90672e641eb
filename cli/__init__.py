"""SocketLab's command-line front-end: tcp-server, tcp-client, udp and --self-test."""
