"""English and 简体中文 for TLS: the tabs' TLS controls, and Chinese for the engine's TLS codes.

English for the engine's codes comes from :mod:`netcore.tls_text` (through
:mod:`netcore.problems`); the Chinese here has the same ``{slots}``.
"""

from __future__ import annotations

TLS_EN: dict[str, str] = {
    "tls.switch": "TLS",
    "tls.cert": "Certificate",
    "tls.certificate": "Cert…",
    "tls.certificate_title": "TLS certificate of this server",
    "tls.self_signed_note": "Leave both empty for a self-signed certificate made for this machine and kept in "
    "the settings folder; the log shows its SHA-256 fingerprint for the other side to check.",
    "tls.use_self_signed": "Use self-signed",
    "tls.done": "Done",
    "tls.key": "Key",
    "tls.choose_cert": "Choose the server's certificate (PEM)",
    "tls.choose_key": "Choose the certificate's private key (PEM)",
    "tls.fingerprint": "TLS SHA-256: {fingerprint}",
    "tls.ca": "CA",
    "tls.choose_ca": "Choose the CA certificate to trust (PEM)",
    "tls.sni": "SNI",
    "tls.insecure": "Don't verify (testing only)",
    "field.cert": "certificate file",
    "field.key": "key file",
    "field.ca": "CA file",
    "field.sni": "server name",
}

TLS_ZH: dict[str, str] = {
    "tls.switch": "TLS",
    "tls.cert": "证书",
    "tls.certificate": "证书…",
    "tls.certificate_title": "本服务器的 TLS 证书",
    "tls.self_signed_note": "两项都留空：使用为本机生成并保存在设置文件夹中的自签名证书；日志会显示它的 "
    "SHA-256 指纹，供对方核对。",
    "tls.use_self_signed": "使用自签名",
    "tls.done": "完成",
    "tls.key": "私钥",
    "tls.choose_cert": "选择服务器证书（PEM）",
    "tls.choose_key": "选择证书的私钥（PEM）",
    "tls.fingerprint": "TLS SHA-256：{fingerprint}",
    "tls.ca": "CA",
    "tls.choose_ca": "选择要信任的 CA 证书（PEM）",
    "tls.sni": "SNI",
    "tls.insecure": "不验证（仅供测试）",
    "field.cert": "证书文件",
    "field.key": "私钥文件",
    "field.ca": "CA 文件",
    "field.sni": "服务器名",
}

ZH_TLS_PROBLEMS: dict[str, tuple[str, str]] = {
    "tls_unknown_ca": ('{address} 的证书由本机不信任的机构签发（{detail}）。',
                      '请把它的 CA 证书指定为 CA 文件（--ca FILE）；仅在测试时可关闭验证。'),
    "tls_self_signed": ('{address} 出示的是自签名证书：没有本机信任的机构为它担保。',
                       '请与服务器显示的 SHA-256 指纹核对，然后把该证书指定为 CA 文件（--ca FILE）。'),
    "tls_name_mismatch": ("{address} 的证书不是为名称 {name!} 签发的（{detail}）。",
                          "请用证书中包含的名称连接，或把服务器名（SNI，--sni NAME）设为其中之一。"),
    "tls_expired": ("{address} 的证书已过期（{detail}）。",
                    "请更新服务器证书，或检查本机的日期和时间是否正确。"),
    "tls_not_yet_valid": ("{address} 的证书尚未生效（{detail}）。",
                          "请检查本机（以及服务器）的日期和时间是否正确。"),
    "tls_cert_rejected": ("无法验证 {address} 的证书：{detail}。",
                          "请检查服务器发送的证书；仅在测试时可以关闭验证（--insecure）。"),
    "tls_not_tls_server": ("{address} 的应答不像 TLS 服务器：{detail}。",
                           "它多半说的是普通 TCP：请关闭 TLS，或连接服务器的 TLS 端口。"),
    "tls_handshake_timeout": ("{address} 在 {timeout} 秒内没有响应 TLS 握手。",
                              "普通 TCP 服务器会默默等待客户端先说话：请关闭 TLS，或连接服务器的 TLS 端口。"),
    "tls_closed_in_handshake": ("{address} 在 TLS 握手期间关闭了连接。",
                                "对方可能不支持 TLS，或拒绝了这一端的 TLS 版本或证书：请查看对方的日志。"),
    "tls_plain_client": ('{address} 发来了 {first!}：这是普通数据，不是 TLS 握手（TLS 以字节 0x16 开头）。',
                        '该客户端说的是普通 TCP：请用 TLS 连接，或在这里关闭 TLS。只关闭了这一个连接。'),
    "tls_client_silent": ("{address} 在 {timeout} 秒内没有发起 TLS 握手，已关闭该连接。",
                          "普通 TCP 客户端会等待服务器先说话：请用 TLS 连接，或在这里关闭 TLS。"),
    "tls_peer_rejected": ('{address} 拒绝了 TLS 握手：{detail}。',
                         '对方可能不信任本证书（请把本服务器的证书作为它的 CA 文件），或双方没有共同的 TLS 版本。'),
    "tls_broken": ("与 {address} 的 TLS 连接中断：{detail}。",
                   "对方发来了 TLS 警报或损坏的数据，连接已关闭；请查看对方的日志，然后重新连接。"),
    "tls_failed": ("与 {address} 的 TLS 握手失败：{detail}。",
                   "请确认双方在这个端口上都使用 TLS，并检查它们的 TLS 版本和证书。"),
}

ZH_TLS_NOTICES: dict[str, str] = {
    "tls_ready": "与 {address} 的 TLS 已建立：{version}，加密套件 {cipher}（{bits} 位）。",
    "tls_peer_cert": "{address} 的证书：主体 {subject}；签发者 {issuer}；有效期 {not_before} 至 {not_after}；"
    "SHA-256 {fingerprint}。",
    "tls_unverified": "{address} 的证书未经验证（仅供测试）：途中的任何人都可以冒充它。",
    "tls_server_cert": "TLS 已开启：证书 {path}，SHA-256 指纹 {fingerprint}。",
    "tls_self_signed_cert": "TLS 已开启，使用为本机生成的自签名证书（{names}），保存在 {path}。"
    "SHA-256 指纹 {fingerprint}：客户端可以核对它，或信任该文件（openssl s_client -CAfile {path}）。",
}

ZH_TLS_INPUT: dict[str, str] = {
    "tls_file_unreadable": "无法读取文件 {value!}：{detail}。提示：请检查文件名，以及当前用户是否有权读取。",
    "tls_cert_bad": "证书文件 {value!} 中没有 SocketLab 能读取的证书（{detail}）。"
    "提示：请提供以 -----BEGIN CERTIFICATE----- 开头的 PEM 文件。",
    "tls_key_bad": "私钥文件 {value!} 中没有 SocketLab 能读取的私钥（{detail}）。"
    "提示：请提供以 -----BEGIN PRIVATE KEY-----（或 RSA/EC PRIVATE KEY）开头的 PEM 文件。",
    "tls_key_encrypted": "私钥文件 {value!} 受密码保护。提示：SocketLab 需要不带密码的私钥，"
    "例如 openssl pkey -in {value} -out plain.key。",
    "tls_key_mismatch": "私钥文件 {value!} 与证书 {cert!} 不匹配。提示：请提供与该证书一起生成的私钥。",
    "tls_pair_needed": "缺少{field}：证书和私钥必须一起提供。提示：两个文件都给出，"
    "或都留空以使用为本机生成的自签名证书。",
    "tls_self_signed_failed": "无法在 {value!} 中保存自签名证书：{detail}。提示：请检查设置文件夹是否可写，"
    "或提供 --cert FILE --key FILE。",
}
