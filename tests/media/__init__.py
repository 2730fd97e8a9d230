"""The media plane: events, audio, the server and session loop, and media faults."""
