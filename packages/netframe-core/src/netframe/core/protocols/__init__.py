"""
Reusable protocol implementations: L{basic} framing receivers and the
L{wire} toy services (echo, discard, chargen, quote of the day, daytime, who).
"""
