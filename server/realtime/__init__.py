"""socket.io: the socket server (connect and the guard every event passes), the event handlers, every emit and room name (emit), and who is online (presence)."""
