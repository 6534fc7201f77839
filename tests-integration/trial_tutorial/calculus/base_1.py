# -*- test-case-name: calculus.test.test_base_1 -*-


class Calculation:
    def add(self, a, b):
        pass

    def subtract(self, a, b):
        pass

    def multiply(self, a, b):
        pass

    def divide(self, a, b):
        pass
