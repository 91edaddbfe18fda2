"""Speed measurements, each printed beside a floor measured in the same run."""
