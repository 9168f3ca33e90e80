"""Files people share: uploads (type sniffed from the content, names cleaned for display,
quotas), thumbnails, attaching them to messages, and who may download them."""
