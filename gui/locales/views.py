"""English and 简体中文 for the teaching views: the chart, the socket's life, the rate graph, explanations.

``explain.<call>`` keys hold a plain explanation of each real socket call: what it
does, whether it blocks and why, what its arguments mean, the usual errors, and the
matching Python line. The lesson pages use them too.
"""

from __future__ import annotations

VIEWS_EN: dict[str, str] = {
    "view.show": "Show:",
    "view.log": "Log",
    "view.sequence": "Sequence",
    "view.calls": "Socket's life",
    "view.rate": "Rate",
    "view.raw_trace": "Real calls",
    "chart.text": "Text",
    "chart.hex": "Hex",
    "chart.first_bytes": "first {n} bytes",
    "chart.empty": "Start the endpoint: each real call and message is drawn here as it happens.",
    "life.count": "{n}×",
    "life.waiting": "waiting in {call} …",
    "life.waiting.accept": "waiting in accept() for a client",
    "life.waiting.connect": "waiting for connect() to finish",
    "life.waiting.send/recv": "waiting in recv() for data",
    "life.waiting.sendto/recvfrom": "waiting in recvfrom() for a datagram",
    "life.connection": "Connection {local} ↔ {remote}",
    "life.connection_more": "(+{n} more connections; select one in the clients table)",
    "life.tuple": "These four values — local address, local port, remote address, remote port — identify "
                  "one TCP connection. Two clients on one machine differ only in their port.",
    "life.none": "No connection yet: connect a client to see its own life.",
    "life.ended": "ended: {reason}",
    "life.reason.fin": "the peer closed (FIN)",
    "life.reason.reset": "reset by the peer (RST)",
    "life.reason.local": "closed here",
    "life.reason.error": "closed after an error",
    "life.reason.limit": "refused: client limit",
    "life.truth": "SocketLab runs non-blocking sockets in a selector: the boxes are the lesson's steps, the "
                  "lines under them the real calls that made each happen.",
    "rate.in": "← in {rate}/s",
    "rate.out": "→ out {rate}/s",
    "rate.title": "Bytes per second, last minute",
    "explain.blocks": "Blocks: {text}",
    "explain.errors": "Usual errors: {text}",
    "explain.python": "Python: {text}",
    "explain.socket": "Makes a new socket: an endpoint for talking over the network. AF_INET is IPv4, "
                      "AF_INET6 IPv6; SOCK_STREAM is TCP (a reliable byte stream), SOCK_DGRAM UDP (datagrams).",
    "explain.socket.blocks": "no.",
    "explain.socket.errors": "EAFNOSUPPORT when the machine has no IPv6.",
    "explain.socket.python": "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
    "explain.setsockopt": "Sets an option on the socket. SO_REUSEADDR lets a restarted server bind its port "
                          "while old connections still wait in TIME_WAIT; SO_BROADCAST allows broadcast.",
    "explain.setsockopt.blocks": "no.",
    "explain.setsockopt.errors": "rare; ENOPROTOOPT for an option the system lacks.",
    "explain.setsockopt.python": "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
    "explain.bind": "Claims a local address and port for this socket. 0.0.0.0 means every IPv4 address of this "
                    "machine; port 0 lets the system pick a free port.",
    "explain.bind.blocks": "no.",
    "explain.bind.errors": "EADDRINUSE (port taken), EACCES (ports below 1024), EADDRNOTAVAIL (not this "
                           "machine's address).",
    "explain.bind.python": "s.bind(('0.0.0.0', 9000))",
    "explain.listen": "Turns the socket into a listening one. The kernel now answers connection requests by "
                      "itself and queues up to the backlog of finished connections for accept().",
    "explain.listen.blocks": "no.",
    "explain.listen.errors": "EADDRINUSE when another socket already listens there.",
    "explain.listen.python": "s.listen(5)",
    "explain.accept": "Takes one finished connection from the queue and returns a new socket for it, plus the "
                      "client's address. The listening socket stays open for the next client.",
    "explain.accept.blocks": "yes, until a client has connected (SocketLab waits in select() instead).",
    "explain.accept.errors": "EMFILE (too many open files).",
    "explain.accept.python": "conn, address = s.accept()",
    "explain.connect": "Asks the server for a connection: the kernel sends SYN, gets SYN-ACK and answers ACK (the "
                       "three-way handshake). Non-blocking, it returns at once and the socket turns writable when "
                       "done; getsockopt(SO_ERROR) then says 0 (connected) or the error.",
    "explain.connect.blocks": "yes, until the handshake finishes or fails.",
    "explain.connect.errors": "ECONNREFUSED (nothing listens), ETIMEDOUT (no answer: host down or firewall), "
                              "ENETUNREACH (no route).",
    "explain.connect.python": "s.connect(('127.0.0.1', 9000))",
    "explain.recv": "Returns the bytes that have arrived, at most the number asked for. TCP is a byte stream: "
                    "one recv() may hold several send()s, or part of one. b'' means the peer closed (FIN).",
    "explain.recv.blocks": "yes, until at least one byte (or the FIN) has arrived.",
    "explain.recv.errors": "ECONNRESET (the peer reset the connection).",
    "explain.recv.python": "data = conn.recv(1024)",
    "explain.send": "Hands bytes to the kernel to send; returns how many it took (sendall() repeats until all "
                    "are taken). Arriving is a different moment: the kernel sends when it can.",
    "explain.send.blocks": "when the send buffer is full (the peer does not read).",
    "explain.send.errors": "EPIPE / ECONNRESET (the connection is gone).",
    "explain.send.python": "conn.sendall(b'Hello')",
    "explain.sendto": "Sends one UDP datagram to an address; no connection needed. It either arrives whole or "
                      "not at all, and nobody tells you which.",
    "explain.sendto.blocks": "rarely.",
    "explain.sendto.errors": "EMSGSIZE (over 65,507 bytes), EACCES (broadcast without SO_BROADCAST).",
    "explain.sendto.python": "s.sendto(b'Hello', ('127.0.0.1', 9999))",
    "explain.recvfrom": "Returns one whole datagram and the address it came from. UDP keeps each sendto() as "
                        "one recvfrom().",
    "explain.recvfrom.blocks": "yes, until a datagram arrives.",
    "explain.recvfrom.errors": "ECONNREFUSED on Linux after a datagram to a closed port.",
    "explain.recvfrom.python": "data, address = s.recvfrom(1024)",
    "explain.shutdown": "shutdown(SHUT_WR) sends FIN: 'I will send no more', while still receiving (a half-close).",
    "explain.shutdown.blocks": "no.",
    "explain.shutdown.errors": "ENOTCONN.",
    "explain.shutdown.python": "s.shutdown(socket.SHUT_WR)",
    "explain.close": "Releases the socket. On a connection the kernel sends FIN (or RST when unread data is "
                     "left); the port is free again.",
    "explain.close.blocks": "no.",
    "explain.close.errors": "none worth knowing.",
    "explain.close.python": "conn.close()",
    "explain.setblocking": "setblocking(False) makes calls return at once instead of waiting; SocketLab then "
                           "uses a selector to learn when a socket is ready.",
    "explain.getsockname": "Asks which local address and port the socket got (after bind or connect).",
    "explain.getsockopt": "getsockopt(SO_ERROR) tells how a non-blocking connect() ended: 0 is connected.",
    "explain.getaddrinfo": "Turns a host name and port into addresses to try (IPv4, IPv6).",
    "explain.handshake": "SYN, SYN-ACK, ACK: the kernel's three-way handshake sets up the connection before "
                         "accept() returns. Inferred: SocketLab sees the calls, not the packets.",
    "explain.fin": "The peer sent FIN: it will send no more. recv() returned b''.",
    "explain.rst": "RST: the connection was reset (the peer crashed, or closed with unread data).",
    "explain.band": "Messages came too fast to draw one by one; this band counts them exactly.",
}

VIEWS_ZH: dict[str, str] = {
    "view.show": "显示：",
    "view.log": "日志",
    "view.sequence": "时序图",
    "view.calls": "套接字的一生",
    "view.rate": "速率",
    "view.raw_trace": "真实调用",
    "chart.text": "文本",
    "chart.hex": "十六进制",
    "chart.first_bytes": "前 {n} 字节",
    "chart.empty": "启动端点后，每个真实调用和每条消息都会在这里实时画出。",
    "life.count": "{n} 次",
    "life.waiting": "正在 {call} 中等待…",
    "life.waiting.accept": "正在 accept() 中等待客户端",
    "life.waiting.connect": "正在等待 connect() 完成",
    "life.waiting.send/recv": "正在 recv() 中等待数据",
    "life.waiting.sendto/recvfrom": "正在 recvfrom() 中等待数据报",
    "life.connection": "连接 {local} ↔ {remote}",
    "life.connection_more": "（另有 {n} 个连接；请在客户端列表中选择）",
    "life.tuple": "这四个值——本地地址、本地端口、远端地址、远端端口——确定一条 TCP 连接。"
                  "同一台机器上的两个客户端只有端口不同。",
    "life.none": "还没有连接：连接一个客户端即可看到它自己的一生。",
    "life.ended": "已结束：{reason}",
    "life.reason.fin": "对方关闭（FIN）",
    "life.reason.reset": "被对方重置（RST）",
    "life.reason.local": "由本端关闭",
    "life.reason.error": "出错后关闭",
    "life.reason.limit": "已拒绝：客户端数量达到上限",
    "life.truth": "SocketLab 在选择器（selector）中运行非阻塞套接字：方框是课程中的步骤，"
                  "方框下的各行是实现每一步的真实调用。",
    "rate.in": "← 收 {rate}/秒",
    "rate.out": "→ 发 {rate}/秒",
    "rate.title": "每秒字节数（最近一分钟）",
    "explain.blocks": "是否阻塞：{text}",
    "explain.errors": "常见错误：{text}",
    "explain.python": "Python：{text}",
    "explain.socket": "创建一个新的套接字：网络通信的端点。AF_INET 是 IPv4，AF_INET6 是 IPv6；"
                      "SOCK_STREAM 是 TCP（可靠的字节流），SOCK_DGRAM 是 UDP（数据报）。",
    "explain.socket.blocks": "不阻塞。",
    "explain.socket.errors": "本机没有 IPv6 时为 EAFNOSUPPORT。",
    "explain.socket.python": "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
    "explain.setsockopt": "设置套接字选项。SO_REUSEADDR 让重启的服务器在旧连接仍处于 TIME_WAIT 时也能绑定端口；"
                          "SO_BROADCAST 允许发送广播。",
    "explain.setsockopt.blocks": "不阻塞。",
    "explain.setsockopt.errors": "很少见；系统不支持该选项时为 ENOPROTOOPT。",
    "explain.setsockopt.python": "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
    "explain.bind": "为这个套接字占用一个本地地址和端口。0.0.0.0 表示本机的所有 IPv4 地址；端口 0 让系统选择空闲端口。",
    "explain.bind.blocks": "不阻塞。",
    "explain.bind.errors": "EADDRINUSE（端口被占用）、EACCES（1024 以下的端口）、EADDRNOTAVAIL（不是本机地址）。",
    "explain.bind.python": "s.bind(('0.0.0.0', 9000))",
    "explain.listen": "把套接字变成监听套接字。此后内核自己应答连接请求，"
                      "并把已完成的连接排队（最多 backlog 个）等 accept() 取走。",
    "explain.listen.blocks": "不阻塞。",
    "explain.listen.errors": "已有另一个套接字在那里监听时为 EADDRINUSE。",
    "explain.listen.python": "s.listen(5)",
    "explain.accept": "从队列中取出一个已完成的连接，返回一个新套接字和客户端地址。"
                      "监听套接字保持打开，等待下一个客户端。",
    "explain.accept.blocks": "阻塞，直到有客户端连上（SocketLab 改为在 select() 中等待）。",
    "explain.accept.errors": "EMFILE（打开的文件太多）。",
    "explain.accept.python": "conn, address = s.accept()",
    "explain.connect": "向服务器请求连接：内核发送 SYN，收到 SYN-ACK 后回复 ACK（三次握手）。非阻塞时它立即返回，"
                       "完成后套接字变为可写；随后 getsockopt(SO_ERROR) 返回 0（已连接）或错误。",
    "explain.connect.blocks": "阻塞，直到握手完成或失败。",
    "explain.connect.errors": "ECONNREFUSED（没有程序监听）、ETIMEDOUT（无应答：主机关机或防火墙）、"
                              "ENETUNREACH（无路由）。",
    "explain.connect.python": "s.connect(('127.0.0.1', 9000))",
    "explain.recv": "返回已到达的字节，最多为请求的数量。TCP 是字节流：一次 recv() 可能包含多次 send() 的数据，"
                    "也可能只有一次的一部分。b'' 表示对方已关闭（FIN）。",
    "explain.recv.blocks": "阻塞，直到至少一个字节（或 FIN）到达。",
    "explain.recv.errors": "ECONNRESET（对方重置了连接）。",
    "explain.recv.python": "data = conn.recv(1024)",
    "explain.send": "把字节交给内核发送；返回内核接收的数量（sendall() 会重复直到全部交出）。"
                    "到达是另一个时刻：内核在可以时才发送。",
    "explain.send.blocks": "发送缓冲区满时（对方不读）。",
    "explain.send.errors": "EPIPE / ECONNRESET（连接已断开）。",
    "explain.send.python": "conn.sendall(b'Hello')",
    "explain.sendto": "向一个地址发送一个 UDP 数据报，不需要连接。"
                      "它要么完整到达，要么完全丢失，而且没有人告诉你是哪种。",
    "explain.sendto.blocks": "很少阻塞。",
    "explain.sendto.errors": "EMSGSIZE（超过 65,507 字节）、EACCES（未设置 SO_BROADCAST 就发广播）。",
    "explain.sendto.python": "s.sendto(b'Hello', ('127.0.0.1', 9999))",
    "explain.recvfrom": "返回一个完整的数据报和它的来源地址。UDP 让每次 sendto() 对应一次 recvfrom()。",
    "explain.recvfrom.blocks": "阻塞，直到数据报到达。",
    "explain.recvfrom.errors": "在 Linux 上，向关闭的端口发送数据报后可能出现 ECONNREFUSED。",
    "explain.recvfrom.python": "data, address = s.recvfrom(1024)",
    "explain.shutdown": "shutdown(SHUT_WR) 发送 FIN：“我不再发送了”，但仍然接收（半关闭）。",
    "explain.shutdown.blocks": "不阻塞。",
    "explain.shutdown.errors": "ENOTCONN。",
    "explain.shutdown.python": "s.shutdown(socket.SHUT_WR)",
    "explain.close": "释放套接字。对连接而言，内核发送 FIN（若还有未读数据则发送 RST）；端口重新空闲。",
    "explain.close.blocks": "不阻塞。",
    "explain.close.errors": "没有值得注意的。",
    "explain.close.python": "conn.close()",
    "explain.setblocking": "setblocking(False) 让调用立即返回而不等待；SocketLab 再用选择器得知套接字何时就绪。",
    "explain.getsockname": "查询套接字得到的本地地址和端口（在 bind 或 connect 之后）。",
    "explain.getsockopt": "getsockopt(SO_ERROR) 说明非阻塞 connect() 的结果：0 表示已连接。",
    "explain.getaddrinfo": "把主机名和端口变成可尝试的地址（IPv4、IPv6）。",
    "explain.handshake": "SYN、SYN-ACK、ACK：在 accept() 返回之前，内核的三次握手已建立连接。"
                         "这是推断：SocketLab 看到的是调用，而不是数据包。",
    "explain.fin": "对方发送了 FIN：它不会再发送数据。recv() 返回了 b''。",
    "explain.rst": "RST：连接被重置（对方崩溃，或在仍有未读数据时关闭）。",
    "explain.band": "消息来得太快，无法逐条画出；这个色带精确地统计了它们。",
}
