"""The `mltrace` command line: click commands, each a few lines over `mltrace.client.Client`."""
