"""
The calculus project is a sample run by test_trial_tutorial.py in subprocesses (some of
its tests fail on purpose, as in the tutorial): never collect it in the integration run.
"""

collect_ignore = ["calculus"]
