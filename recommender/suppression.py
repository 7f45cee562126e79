"""The data contract's floor for any aggregate about people: a group of fewer than
MIN_GROUP agents is never shown with numbers, on any page, export or model record.

One constant for both sides. It imports nothing, so the web process reads it without
loading pandas.
"""

MIN_GROUP = 5
