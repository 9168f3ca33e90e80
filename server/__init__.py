"""The process: the aiohttp app, socket.io, HTTP handlers, configuration and the CLI."""
