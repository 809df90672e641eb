"""Sessions: the event stream kept on disk, and what is drawn or exported from it.

``record`` reads and writes session files (JSON Lines); ``sequence`` turns events into
the sequence chart's model; ``svg`` draws that model; ``pcap`` reconstructs a capture
that Wireshark opens. All of it is pure or plain file I/O: no sockets, no Tk.
"""
