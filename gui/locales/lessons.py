"""English and 简体中文 for the guided lessons: titles, pages and goals (see :mod:`netcore.session.course`)."""

from __future__ import annotations

LESSONS_EN: dict[str, str] = {
    "menu.lessons": "Lessons…",
    "lessons.title": "SocketLab lessons",
    "lessons.setup": "Set it up for me",
    "lessons.code": "Show the Python code",
    "lessons.again": "Start again",
    "lessons.goals": "Goals — they tick when the real call happens in your tabs:",
    "lessons.done": "{done} of {total} done",
    "lessons.http_started": "A web server for this lesson runs on {address} (Python's http.server).",
    "lesson.server": "1 · A TCP server, step by step",
    "lesson.server.page": (
        "A TCP server is a socket that waits for others to connect. Its life has fixed steps: socket() makes "
        "it, bind() claims an address and port, listen() turns it into a listening socket, accept() takes one "
        "client, recv() and send() exchange bytes, close() ends it.\n\n"
        "Set it up, turn Step on in the server tab, and press Start: SocketLab stops before each real call. "
        "Click Next through socket, bind and listen. Then connect the client tab while the server is still "
        "waiting before accept(): the client is connected already — the kernel did the handshake. Click Next "
        "through accept and recv, send a message each way, and close."),
    "goal.server.socket": "your server called socket()",
    "goal.server.bind": "your server called bind()",
    "goal.server.listen": "your server called listen()",
    "goal.server.accept": "your server accepted a client with accept()",
    "goal.server.recv": "your server received bytes with recv()",
    "goal.server.send": "your server sent bytes with send()",
    "goal.server.close": "a connection of your server closed",
    "lesson.http": "2 · A TCP client, and HTTP by hand",
    "lesson.http.page": (
        "HTTP is text over TCP. A client connects to port 80 (here: a web server SocketLab starts on this "
        "machine), sends a request line, a Host header and an empty line, and reads until the server closes.\n\n"
        "In the client tab, choose Escapes and send:\n"
        "GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n\n"
        "The answer starts with a status line (HTTP/1.0 200 OK), then headers, an empty line, and the body."),
    "goal.http.connect": "your client connected",
    "goal.http.request": "your client sent a GET request with a Host header and an empty line",
    "goal.http.status": "your client received a status line (HTTP/1.x …)",
    "goal.http.end": "the server closed when it was done (FIN)",
    "lesson.greeting": "3 · The greeting server, with two clients",
    "lesson.greeting.page": (
        "The classic threaded server greets each client with Welcome!, answers every name with "
        "Hello, <name>! and says good-bye on exit. Connect two clients at once: the server serves both, "
        "because it does not wait for one before reading the other (threads in the tutorial, a selector in "
        "SocketLab). Look at the Socket's life view: each connection has its own four values — the two "
        "clients differ only in their port."),
    "goal.greeting.welcome": "your server sent Welcome!",
    "goal.greeting.hello": "your server answered Hello, <name>!",
    "goal.greeting.two": "two clients were connected at the same time",
    "goal.greeting.exit": "a client sent exit and the server closed its connection",
    "lesson.time": "4 · A time server",
    "lesson.time.page": (
        "A time server answers each message with the time it arrived. Choose the Time auto-reply, connect a "
        "client, and send anything: the answer starts with [YYYY-MM-DD HH:MM:SS]."),
    "goal.time.stamp": "your server answered with the time",
    "lesson.udp": "5 · UDP: sendto and recvfrom",
    "lesson.udp.page": (
        "UDP has no connection: sendto() sends one datagram to an address, recvfrom() returns one datagram "
        "and who sent it. Open two UDP tabs, send from one to the other and answer.\n\n"
        "Then send to a port where nothing listens: the sender sees nothing at all, or (on some systems, on "
        "the next call) a refusal — UDP cannot promise delivery."),
    "goal.udp.sendto": "a UDP tab sent a datagram with sendto()",
    "goal.udp.recvfrom": "a UDP tab received a datagram with recvfrom()",
    "goal.udp.nobody": "a datagram went to a port where nothing listens, and it was refused",
    "lesson.stream": "6 · Stream against datagram",
    "lesson.stream.page": (
        "TCP is a byte stream: it keeps the bytes and their order, not the boundaries of your send() calls. "
        "Send three quick messages from the client tab to the server tab (tick “Each line its own send()” and "
        "send three lines): the server's chart shows when they arrived in one recv().\n\n"
        "Do the same between two UDP tabs: each sendto() arrives as one recvfrom()."),
    "goal.stream.merged": "several send() calls arrived in one recv()",
    "goal.stream.whole": "datagrams arrived whole, one recvfrom() for each sendto()",
    "lesson.ports": "7 · Ports",
    "lesson.ports.page": (
        "A port picks the program on a machine. TCP port 9999 and UDP port 9999 are different things: both can "
        "be bound at once. But a second TCP socket cannot bind a TCP port already bound: it gets “address "
        "already in use”. A restarted server sets SO_REUSEADDR so that old connections waiting in TIME_WAIT do "
        "not block it."),
    "goal.ports.both": "a TCP server and a UDP socket were bound to the same port number",
    "goal.ports.in_use": "a second bind on a port in use failed with “address in use”",
    "lesson.closing": "8 · Closing: FIN, RST and half-close",
    "lesson.closing.page": (
        "close() normally sends FIN: the other side's recv() returns b''. A reset (RST) is abrupt: the peer's "
        "next call fails with “connection reset”. shutdown(SHUT_WR) sends FIN but keeps receiving: a "
        "half-close.\n\n"
        "Try: close a client normally; reset one (nc, then Ctrl-C while data is unread); and in the client "
        "tab, half-close, then send from the server: the client still receives."),
    "goal.closing.fin": "your server saw a FIN (the peer closed)",
    "goal.closing.rst": "your server saw a reset (RST)",
    "goal.closing.half": "a tab half-closed with shutdown(SHUT_WR) and still received",
}

LESSONS_ZH: dict[str, str] = {
    "menu.lessons": "课程…",
    "lessons.title": "SocketLab 课程",
    "lessons.setup": "帮我准备好",
    "lessons.code": "查看 Python 代码",
    "lessons.again": "重新开始",
    "lessons.goals": "目标——当你的标签页中真的发生对应调用时会打勾：",
    "lessons.done": "已完成 {done} / {total}",
    "lessons.http_started": "本课的 Web 服务器运行在 {address}（Python 的 http.server）。",
    "lesson.server": "1 · 一步一步的 TCP 服务器",
    "lesson.server.page": (
        "TCP 服务器是一个等待别人来连接的套接字。它的一生有固定的步骤：socket() 创建它，bind() 占用地址和端口，"
        "listen() 把它变成监听套接字，accept() 接受一个客户端，recv() 和 send() 交换字节，close() 结束。\n\n"
        "准备好之后，在服务器标签页中打开“单步”，再点“启动”：SocketLab 会在每个真实调用之前停下。"
        "一直点“下一步”经过 socket、bind 和 listen。然后在服务器还停在 accept() 之前时连接客户端标签页："
        "客户端已经连上了——握手是内核完成的。再点“下一步”经过 accept 和 recv，双方各发一条消息，然后关闭。"),
    "goal.server.socket": "你的服务器调用了 socket()",
    "goal.server.bind": "你的服务器调用了 bind()",
    "goal.server.listen": "你的服务器调用了 listen()",
    "goal.server.accept": "你的服务器用 accept() 接受了一个客户端",
    "goal.server.recv": "你的服务器用 recv() 收到了字节",
    "goal.server.send": "你的服务器用 send() 发送了字节",
    "goal.server.close": "你的服务器的一个连接关闭了",
    "lesson.http": "2 · TCP 客户端，以及手写 HTTP",
    "lesson.http.page": (
        "HTTP 是跑在 TCP 上的文本。客户端连接 80 端口（这里是 SocketLab 在本机启动的 Web 服务器），"
        "发送请求行、Host 头和一个空行，然后一直读，直到服务器关闭。\n\n"
        "在客户端标签页中选择“转义”，发送：\n"
        "GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n\n"
        "回答以状态行开头（HTTP/1.0 200 OK），然后是头部、一个空行和正文。"),
    "goal.http.connect": "你的客户端连上了",
    "goal.http.request": "你的客户端发送了带 Host 头和空行的 GET 请求",
    "goal.http.status": "你的客户端收到了状态行（HTTP/1.x …）",
    "goal.http.end": "服务器发完后关闭了连接（FIN）",
    "lesson.greeting": "3 · 问候服务器，两个客户端",
    "lesson.greeting.page": (
        "经典的多线程服务器用 Welcome! 问候每个客户端，对每个名字回答 Hello, <name>!，收到 exit 时道别。"
        "同时连接两个客户端：服务器会同时服务两者，因为它不会等一个客户端读完才读另一个"
        "（教程里用线程，SocketLab 用选择器）。看看“套接字的一生”视图：每个连接都有自己的四个值——"
        "两个客户端只有端口不同。"),
    "goal.greeting.welcome": "你的服务器发送了 Welcome!",
    "goal.greeting.hello": "你的服务器回答了 Hello, <name>!",
    "goal.greeting.two": "两个客户端同时连着",
    "goal.greeting.exit": "一个客户端发送了 exit，服务器关闭了它的连接",
    "lesson.time": "4 · 时间服务器",
    "lesson.time.page": (
        "时间服务器对每条消息回答它到达的时间。选择“时间”自动回复，连接一个客户端，随便发点什么："
        "回答以 [YYYY-MM-DD HH:MM:SS] 开头。"),
    "goal.time.stamp": "你的服务器回答了时间",
    "lesson.udp": "5 · UDP：sendto 和 recvfrom",
    "lesson.udp.page": (
        "UDP 没有连接：sendto() 向一个地址发送一个数据报，recvfrom() 返回一个数据报以及发送者。"
        "打开两个 UDP 标签页，从一个发给另一个，再回复。\n\n"
        "然后发到一个没有程序监听的端口：发送方什么也看不到，或者（在某些系统上，在下一次调用时）"
        "看到被拒绝——UDP 不保证送达。"),
    "goal.udp.sendto": "一个 UDP 标签页用 sendto() 发送了数据报",
    "goal.udp.recvfrom": "一个 UDP 标签页用 recvfrom() 收到了数据报",
    "goal.udp.nobody": "一个数据报发到了没有程序监听的端口，并被拒绝",
    "lesson.stream": "6 · 字节流与数据报",
    "lesson.stream.page": (
        "TCP 是字节流：它保留字节和顺序，但不保留你每次 send() 的边界。从客户端标签页快速向服务器标签页"
        "发送三条消息（勾选“每行单独 send()”并发送三行）：服务器的时序图会显示它们何时在一次 recv() 中到达。\n\n"
        "在两个 UDP 标签页之间做同样的事：每次 sendto() 都作为一次 recvfrom() 到达。"),
    "goal.stream.merged": "多次 send() 在一次 recv() 中到达",
    "goal.stream.whole": "数据报完整到达，每次 sendto() 对应一次 recvfrom()",
    "lesson.ports": "7 · 端口",
    "lesson.ports.page": (
        "端口用来选择一台机器上的程序。TCP 9999 端口和 UDP 9999 端口是不同的东西：两者可以同时绑定。"
        "但第二个 TCP 套接字不能绑定已被绑定的 TCP 端口：它会得到“地址已被占用”。重启的服务器会设置 "
        "SO_REUSEADDR，这样处于 TIME_WAIT 的旧连接不会挡住它。"),
    "goal.ports.both": "一个 TCP 服务器和一个 UDP 套接字绑定了同一个端口号",
    "goal.ports.in_use": "在已被占用的端口上再次 bind 失败，提示“地址已被占用”",
    "lesson.closing": "8 · 关闭：FIN、RST 和半关闭",
    "lesson.closing.page": (
        "close() 通常发送 FIN：对方的 recv() 返回 b''。重置（RST）是突然的：对方的下一次调用会失败，"
        "提示“连接被重置”。shutdown(SHUT_WR) 发送 FIN 但仍然接收：这是半关闭。\n\n"
        "试一试：正常关闭一个客户端；重置一个（用 nc，在还有未读数据时按 Ctrl-C）；在客户端标签页中半关闭，"
        "然后从服务器发送：客户端仍然能收到。"),
    "goal.closing.fin": "你的服务器看到了 FIN（对方关闭）",
    "goal.closing.rst": "你的服务器看到了重置（RST）",
    "goal.closing.half": "一个标签页用 shutdown(SHUT_WR) 半关闭后仍然收到了数据",
}
