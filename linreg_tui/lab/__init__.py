"""What the command line and the app share, with no Textual, argparse or torch at import:
plans and their limits, job events, the job runner and training process, the recorder,
verdicts and number formats."""
