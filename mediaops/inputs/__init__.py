"""Inputs besides the recording: metrics exports, time columns, comment logs, product lists, side files."""
