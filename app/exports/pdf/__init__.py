"""Board-ready PDFs: a locked-down WeasyPrint (fetcher, render), print documents and render jobs."""
