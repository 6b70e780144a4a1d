// cxx_throw.cpp - C++ exceptions in a static glibc program (g++ -static).
// Every throw goes through libgcc's unwinder, which reads the shadow-stack
// pointer with RDSSPQ (a NOP without CET) before it walks the frames; a CPU
// that refused the instruction would kill the program with SIGILL at the
// first throw.  The output names each step so that a native run and an
// lstar run can be compared line by line.
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

static int depth_reached;

struct Guard {
	const char *name;
	explicit Guard(const char *n) : name(n) { std::printf("enter %s\n", name); }
	~Guard() { std::printf("leave %s\n", name); }
};

struct Custom {
	int code;
	std::string what;
};

// Throws from deep down: the unwinder crosses many frames, running each
// frame's destructors on the way.
__attribute__((noinline)) static void recurse(int n)
{
	Guard g(n % 2 ? "odd frame" : "even frame");
	depth_reached = n;
	if (n == 0)
		throw Custom{42, "from the bottom"};
	recurse(n - 1);
}

__attribute__((noinline)) static int parse(const char *s)
{
	if (!std::strcmp(s, "bad"))
		throw std::invalid_argument(std::string("cannot parse '") + s + "'");
	return static_cast<int>(std::strlen(s));
}

int main()
{
	// 1. A standard exception caught by base class.
	try {
		throw std::runtime_error("boom");
	} catch (const std::exception &e) {
		std::printf("caught std::exception: %s\n", e.what());
	}

	// 2. A user type through several frames with destructors.
	try {
		recurse(5);
	} catch (const Custom &c) {
		std::printf("caught Custom %d '%s' at depth %d\n", c.code, c.what.c_str(),
			    depth_reached);
	}

	// 3. Rethrow from a handler, caught one level up.
	try {
		try {
			parse("bad");
		} catch (const std::invalid_argument &e) {
			std::printf("inner: %s, rethrowing\n", e.what());
			throw;
		}
	} catch (const std::logic_error &e) {
		std::printf("outer: %s\n", e.what());
	}

	// 4. An exception from the library itself (vector::at).
	try {
		std::vector<int> v(3);
		std::printf("v.at(7) = %d\n", v.at(7));
	} catch (const std::out_of_range &) {
		std::printf("caught std::out_of_range\n");
	}

	// 5. exception_ptr carried out of a handler and rethrown later.
	std::exception_ptr saved;
	try {
		throw 7;
	} catch (...) {
		saved = std::current_exception();
	}
	try {
		std::rethrow_exception(saved);
	} catch (int n) {
		std::printf("rethrown int %d\n", n);
	}

	// 6. Many throws in a loop (each one unwinds again).
	int caught = 0;
	for (int k = 0; k < 1000; k++) {
		try {
			parse(k % 3 ? "ok" : "bad");
		} catch (const std::exception &) {
			caught++;
		}
	}
	std::printf("caught %d of 1000\n", caught);
	return 0;
}
