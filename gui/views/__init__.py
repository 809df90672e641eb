"""Teaching views drawn on Tk Canvas from the pure models in :mod:`netcore.session`."""
