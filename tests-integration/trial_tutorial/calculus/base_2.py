# -*- test-case-name: calculus.test.test_base_2 -*-


class Calculation:
    def add(self, a, b):
        return a + b

    def subtract(self, a, b):
        return a - b

    def multiply(self, a, b):
        return a * b

    def divide(self, a, b):
        # Python 3: integer division is //.
        return a // b
