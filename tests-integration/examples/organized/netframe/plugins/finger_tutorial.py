# finger_tutorial.py (SCOPE.md F25, L5805-5812): registers the finger plugin.
#
# Python 3 port on netframe: a drop-in module in a netframe/plugins/
# directory on sys.path. The module reference is fingertutorial.tap (the
# package is not named finger, see its header).
from netframe.app.service import ServiceMaker

finger = ServiceMaker("finger", "fingertutorial.tap", "Run a finger service", "finger")
