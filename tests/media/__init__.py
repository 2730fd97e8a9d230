"""The media plane: events, audio, the server and its sessions."""
