"""Analysis: engagement signals, scene cuts, highlights, product pitches and sales attribution."""
