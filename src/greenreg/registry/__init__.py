"""The write side: aggregates, rulebooks (law as code) and the application that records acts."""
