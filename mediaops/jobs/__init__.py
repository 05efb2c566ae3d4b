"""Jobs: the options of a run, its stages over a job folder, the artifact store, the whole pipeline, re-rendering."""
