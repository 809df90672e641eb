"""SocketLab's Tkinter front-end: one window, one tab per endpoint (see ``gui.app``)."""
