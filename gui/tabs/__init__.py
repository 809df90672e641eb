"""One ``ttk.Frame`` subclass per endpoint kind, on a shared base."""
