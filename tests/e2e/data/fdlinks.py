# fdlinks.py - /proc/self/fd as a program sees it (tests/e2e/dynamic.cmake):
# listed, read as links, and stat'ed, compared with a native run.  Only
# facts that hold whatever else the test harness left open are printed.
import os, stat
r, w = os.pipe()
f = open(__file__)
names = os.listdir("/proc/self/fd")
print("listed:", {"0", "1", "2", str(r), str(w), str(f.fileno())} <= set(names))
print("all numbers:", all(n.isdigit() for n in names))
print("pipe ends:", os.readlink("/proc/self/fd/%d" % r).startswith("pipe:["),
      os.readlink("/proc/self/fd/%d" % r) == os.readlink("/proc/self/fd/%d" % w))
print("file:", os.readlink("/proc/self/fd/%d" % f.fileno()) == os.path.realpath(__file__))
print("/dev/stdin:", os.readlink("/dev/stdin"), os.readlink("/dev/fd/0"))
print("lstat:", stat.S_ISLNK(os.lstat("/proc/self/fd/%d" % r).st_mode),
      stat.S_ISFIFO(os.stat("/proc/self/fd/%d" % r).st_mode))
os.close(w)
print("closed:", str(w) in os.listdir("/proc/self/fd"))
try:
    os.readlink("/proc/self/fd/%d" % w)
except OSError as e:
    print("readlink of a closed one:", e.errno)
