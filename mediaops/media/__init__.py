"""Media: probing recordings, decoding audio, running ffmpeg, fonts, and telling when a file stops growing."""
