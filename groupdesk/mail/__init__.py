"""Qt-free mail support: IMAP client wrapper, invitation classifier, secret store."""
