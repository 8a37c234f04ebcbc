"""Qt widgets: the main window, table model, dialogs, printing and workers."""
