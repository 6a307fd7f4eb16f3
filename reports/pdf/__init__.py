"""PDF rendering with WeasyPrint: the URL fetcher that keeps it to our own files, the renderer,
the table of contents, and one module per report kind. Only Celery workers call into this package."""
