"""Server-rendered pages: the rendering helpers, one module per capability, and the coordinator area under admin/."""
