"""
Reusable protocol implementations: L{basic} framing receivers and FileSender,
L{policies} wrappers (timeouts, throttling, connection limits, traffic logging),
L{wire} toy services (echo, discard, chargen, quote of the day, daytime, who) and
L{amp}, the Asynchronous Messaging Protocol.
"""
