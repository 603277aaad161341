"""The filter language of runs (MLflow's search syntax), read into plain conditions: no SQL, no I/O."""
