"""简体中文 for the engine's codes: problems (message and hint), notices, input errors.

Keys mirror :mod:`netcore.problems`: ``problem.<code>``, ``hint.<code>``,
``notice.<code>``, ``input.<code>``; the slots are the same as in English.
"""

from __future__ import annotations

ZH_PROBLEMS: dict[str, tuple[str, str]] = {
    "address_in_use": ("端口 {port} 在 {host} 上已被占用。",
                       "另一个程序（或另一个 SocketLab 标签页）正在使用它。请先停止那个程序，或换一个端口；"
                       "端口填 0 会让系统自动选择一个空闲端口。"),
    "permission_denied": ("不允许使用 {address}。",
                          "1024 以下的端口需要管理员权限：请使用 1024 及以上的端口（例如 9000）。"
                          "发往广播地址时，请打开“允许广播”。"),
    "broadcast_denied": ("还不允许向广播地址 {address} 发送。",
                         "请先打开“允许广播”（SO_BROADCAST），然后再发送。"),
    "address_not_available": ("{host} 不是本机的地址。",
                              "服务器只能监听本机自己的地址：请用 0.0.0.0（所有 IPv4）、::（所有 IPv6）、"
                              "127.0.0.1，或状态栏中列出的地址。"),
    "connection_refused": ("连接 {address} 被拒绝：那里没有程序在监听。",
                           "请先启动服务器，并检查端口号。如果服务器在另一台机器上，"
                           "请确认它监听的是 0.0.0.0 而不是 127.0.0.1。"),
    "timed_out": ("{address} 在 {timeout} 秒内没有应答。",
                  "对方主机可能已关机或不在网络上，也可能是防火墙悄悄丢弃了数据包。"
                  "请先检查地址，再检查对方机器的防火墙。"),
    "connection_timed_out": ("与 {address} 的连接超时：对方不再应答。",
                             "对方机器可能已关机、断开网线或离开了 Wi-Fi 范围，也可能是防火墙断开了连接。"
                             "请在对方恢复后重新连接。"),
    "host_unreachable": ("无法到达 {address}：没有通往该主机的路由。",
                         "请确认两台机器在同一个网络中，并且地址正确。"),
    "network_unreachable": ("无法到达 {address}：本机没有通往那里的网络。",
                            "请检查网线或 Wi-Fi，以及地址。"),
    "name_not_found": ("找不到名称 {host!}。",
                       "请检查拼写，或直接使用 IP 地址，例如 192.168.1.23。"),
    "connection_reset": ("与 {address} 的连接被对方重置。",
                         "对方突然关闭或崩溃了。如有需要请重新连接。"),
    "broken_pipe": ("无法发送到 {address}：连接已经关闭。",
                    "对方已离开。请重新连接后再发送。"),
    "too_many_files": ("同时打开的连接太多（{detail}）。",
                       "请关闭一些连接，或提高系统的打开文件数上限。"),
    "family_not_supported": ("本机无法使用这类地址：{address}。",
                             "本机可能关闭了 IPv6；请试试 IPv4 地址，例如 127.0.0.1。"),
    "message_too_long": ("{size} 字节的数据报太大，无法发送。",
                         "IPv4 上一个 UDP 数据报最多 65,507 字节；请分多次发送。"),
    "reply_too_long": ("未向 {address} 发送自动回复：{size} 字节超过 {limit} 字节的上限。",
                       "模板重复消息的次数太多：请少用几次，或用更小的帧。"),
    "frame_too_long": ("{address} 发来的帧超过上限：{detail}。",
                       "请对照设备协议检查“分帧”选项（长度前缀是 2 字节还是 4 字节？大端还是小端？）；"
                       "数据没有丢失，按原样显示。"),
    "send_buffer_full": ("发送被拒绝：已有 {pending} 字节在等待发往 {address}。",
                         "对方没有读取发给它的数据。请稍候，或断开它。"),
    "not_connected": ("未连接。", "请先连接，再发送。"),
    "no_such_peer": ("{address} 已经断开。", "请从列表中选择一个已连接的客户端。"),
    "relay_to_itself": ("中继会转发给它自己：{target} 就是它监听的地址。",
                        "请把真正的服务器地址填为目标，或者换一个监听端口。"),
    "no_clients": ("没有客户端连接，所以没有发送任何内容。",
                   "请等待客户端连接，例如用：nc {host} {port}"),
    "no_target": ("还没有发送对象。", "请填写目标主机和端口，或等待收到一个数据报后再回复。"),
    "bound_to_ipv4": ("本端点绑定在 IPv4 地址上，无法发送到 IPv6 地址 {address}。",
                      "要与 IPv6 对端通信，请绑定到 ::（同时支持 IPv6 和 IPv4）或某个 IPv6 地址。"),
    "bound_to_ipv6": ("本端点只绑定在 IPv6 地址上，无法发送到 IPv4 地址 {address}。",
                      "要与 IPv4 对端通信，请绑定到 ::（同时支持 IPv6 和 IPv4）或 0.0.0.0。"),
    "not_multicast": ("{host} 不是组播组地址。",
                      "IPv4 组播组的范围是 224.0.0.0 到 239.255.255.255（例如 239.1.2.3）。"),
    "other": ("{action} 失败：{detail}。", "请检查地址和端口，然后重试。"),
    "interface_not_found": ("本机没有名为 {interface!} 的网络接口。",
                            "请选择状态栏中列出的接口（如 eth0 这样的名称，或它的某个地址）。"),
    "no_interface": ("发往 {address} 的数据报没有从任何接口发出：{detail}。",
                     "请检查网线是否插好、接口是否已启用，或选择要使用的接口。"),
    "internal_error": ("SocketLab 自身出现故障，已停止这个端点：{detail}。",
                       "这是 SocketLab 的程序错误，不是你的网络问题。请重新启动它，"
                       "并附上 socketlab.log 文件报告这个问题。"),
    "internal_error_peer": ("SocketLab 在为 {address} 服务时自身出现故障，已关闭这个连接：{detail}。",
                            "这是 SocketLab 的程序错误，不是你的网络问题；其他连接照常进行。"
                            "请附上 socketlab.log 文件报告这个问题。"),
}

ZH_NOTICES: dict[str, str] = {
    "client_limit": "客户端数量已达上限 {limit}：已立即关闭来自 {address} 的连接。",
    "reply_closed": "自动回复关闭了与 {address} 的连接。",
    "reading_paused": "窗口处理不过来：已暂停读取，让发送方放慢速度（不会丢失数据）。",
    "reply_to_self": "已跳过自动回复：这个数据报来自本端点自己（{address}），回复它会无休止地回复自己。",
    "udp_port_unreachable": "上一个数据报被拒绝：对方那个端口上没有程序在监听。",
    "joined_group": "已在 {interface} 上加入组播组 {group}。",
    "left_group": "已离开组播组 {group}。",
    "reply_rate_limited": "已暂停对 {address} 的自动回复：每秒超过 {rate} 次回复。"
    "两个互相自动回复的端点会这样无休止地来回；等 {address} 慢下来后会恢复回复。",
    "discovery_answered": "已应答来自 {address} 的发现请求：本机在网络上可见。",
    "sent_on": "发往 {address} 的数据报已从以下接口发出：{interfaces}。",
    "udp_refused_at": "发往 {address} 的数据报被拒绝：那里的这个端口上没有程序在监听。",
    "relay_paired": "中继：客户端 {client} 已转发到 {target}（本地端 {local}）。",
    "relay_target_failed": "中继：已关闭客户端 {client}：无法连到目标 {target}（原因见错误信息）。",
    "relay_fin_to_server": "中继：客户端发送完毕（FIN），已转告服务器 {address}（shutdown SHUT_WR）。",
    "relay_fin_to_client": "中继：服务器发送完毕（FIN），已转告客户端 {address}（shutdown SHUT_WR）。",
    "relay_reset_to_server": "中继：{from} 重置了连接（RST），服务器一侧 {address} 也已重置。",
    "relay_reset_to_client": "中继：{from} 重置了连接（RST），客户端 {address} 也已重置。",
    "relay_undelivered_server": "中继：客户端的 {bytes} 字节没有送到服务器 {address}：连接先结束了。",
    "relay_undelivered_client": "中继：服务器的 {bytes} 字节没有送到客户端 {address}：连接先结束了。",
    "relay_udp_new": "中继：新客户端 {client}：它的数据报从 {local} 发往 {target}。",
    "relay_udp_idle": "中继：客户端 {client} 已 {seconds} 秒没有数据，它的上游套接字 {local} 已关闭。",
    "relay_udp_evicted": "中继：客户端超过 {limit} 个：最久没有消息的 {client} 失去了上游套接字 {local}。",
    "relay_udp_dropped": "中继：发往 {address} 的 {bytes} 字节数据报现在无法发送（发送缓冲区已满），"
    "已丢弃：UDP 无法等待。",
    "relay_udp_refused": "中继：目标 {address} 没有程序在监听：来自 {client} 的数据报被拒绝。",
    "recording_stopped": "录制在此停止：事件来得比写入快（或达到了 {limit} 字节的上限）。"
    "标签页的计数和保存的数据仍然准确。",
}

ZH_INPUT: dict[str, str] = {
    "port_empty": "{field}为空：请填写 0 到 65535 之间的数字。",
    "port_not_number": "{field}必须是 0 到 65535 之间的数字，而不是 {value!}。",
    "port_range": "{field} {value} 太大：端口范围是 0 到 65535。",
    "port_zero_remote": "{field}不能是 0：0 只在监听时表示“任意空闲端口”。请填写服务器的端口（1-65535）。",
    "host_empty": "{field}为空：请填写地址，例如 127.0.0.1。",
    "host_malformed": "{field} {value!} 不是 IP 地址，也不是主机名。",
    "address_form": "{field} {value!} 需要写成 主机:端口 的形式，例如 127.0.0.1:9000。",
    "timeout_invalid": "{field}必须是秒数，而不是 {value!}。",
    "timeout_range": "{field}必须在 0 到 3600 秒之间。",
    "count_invalid": "{field}必须是 {low} 到 {high} 之间的整数，而不是 {value!}。",
}
