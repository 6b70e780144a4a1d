// cxxthreads.cpp - the C++ standard library's threads in a static glibc
// program (g++ -std=c++20 -static): std::thread, std::mutex, a
// std::condition_variable queue and its timed wait, std::async (async and
// deferred, values and exceptions), promise/future, shared_mutex,
// atomics and atomic wait/notify (futex), latch, barrier,
// counting_semaphore, jthread stop tokens, thread_local objects with
// destructors, call_once, sleep_for, and exceptions thrown and caught on
// other threads' stacks.
//
// Only the main thread prints, after the others are joined, so the output
// is the same on every run, natively or under lstar.
#include <atomic>
#include <barrier>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <future>
#include <latch>
#include <mutex>
#include <numeric>
#include <semaphore>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

static long ms_since(steady::time_point t0)
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - t0).count();
}

static void test_thread_mutex()
{
	std::mutex m;
	long counter = 0;
	std::vector<std::thread> ts;
	for (int i = 0; i < 4; i++)
		ts.emplace_back([&] {
			for (int j = 0; j < 50000; j++) {
				std::lock_guard<std::mutex> g(m);
				counter++;
			}
		});
	for (auto &t : ts)
		t.join();
	std::printf("thread+mutex: 4 x 50000 = %ld\n", counter);

	std::thread::id main_id = std::this_thread::get_id(), other;
	std::thread t([&] { other = std::this_thread::get_id(); });
	std::thread::id tid = t.get_id();
	t.join();
	std::printf("thread ids: other thread's id differs %d, get_id() agrees %d, joinable after join %d\n",
		    other != main_id, other == tid, t.joinable());
}

static void test_condvar()
{
	std::mutex m;
	std::condition_variable cv_items, cv_space;
	std::deque<int> q;
	bool done = false;
	long sum = 0, count = 0;

	std::thread consumer([&] {
		std::unique_lock<std::mutex> l(m);
		for (;;) {
			cv_items.wait(l, [&] { return !q.empty() || done; });
			if (q.empty())
				return;
			sum += q.front();
			q.pop_front();
			count++;
			cv_space.notify_one();
		}
	});
	std::thread producer([&] {
		for (int i = 1; i <= 10000; i++) {
			std::unique_lock<std::mutex> l(m);
			cv_space.wait(l, [&] { return q.size() < 4; });
			q.push_back(i);
			cv_items.notify_one();
		}
	});
	producer.join();
	{
		std::lock_guard<std::mutex> g(m);
		done = true;
	}
	cv_items.notify_all();
	consumer.join();
	std::printf("condition_variable: %ld items, sum %ld\n", count, sum);

	std::unique_lock<std::mutex> l(m);
	auto t0 = steady::now();
	std::cv_status st = cv_items.wait_for(l, 10ms);
	long el = ms_since(t0);
	bool pred = cv_items.wait_for(l, 10ms, [] { return false; });
	std::printf("condition_variable: wait_for 10 ms timed out %d (>= 10 ms: %d), with a false predicate %d\n",
		    st == std::cv_status::timeout, el >= 10, pred);
}

static int square(int x)
{
	return x * x;
}

static void test_async()
{
	std::vector<std::future<int>> fs;
	for (int i = 0; i < 10; i++)
		fs.push_back(std::async(std::launch::async, square, i));
	int total = 0;
	for (auto &f : fs)
		total += f.get();
	std::printf("async: sum of squares 0..9 = %d\n", total);

	std::thread::id main_id = std::this_thread::get_id();
	auto async_id = std::async(std::launch::async, [] { return std::this_thread::get_id(); });
	auto deferred_id = std::async(std::launch::deferred, [] { return std::this_thread::get_id(); });
	std::printf("async: launch::async on another thread %d, launch::deferred on the caller %d\n",
		    async_id.get() != main_id, deferred_id.get() == main_id);

	auto thrower = std::async(std::launch::async, []() -> int {
		throw std::runtime_error("thrown on a worker thread");
	});
	try {
		thrower.get();
		std::printf("async: FAIL, no exception\n");
	} catch (const std::runtime_error &e) {
		std::printf("async: get() rethrew \"%s\"\n", e.what());
	}

	std::promise<std::string> p;
	std::future<std::string> f = p.get_future();
	auto t0 = steady::now();
	std::future_status st = f.wait_for(10ms);
	long el = ms_since(t0);
	std::thread setter([&p] { p.set_value("set by a thread"); });
	std::string v = f.get();
	setter.join();
	std::printf("promise: wait_for 10 ms timeout %d (>= 10 ms: %d), then \"%s\"\n",
		    st == std::future_status::timeout, el >= 10, v.c_str());

	std::packaged_task<int(int)> task(square);
	std::future<int> tf = task.get_future();
	std::thread tt(std::move(task), 12);
	tt.join();
	std::printf("packaged_task: %d\n", tf.get());
}

static void test_shared_mutex()
{
	std::shared_mutex sm;
	long a = 0, b = 0;
	std::atomic<int> torn{0};
	std::vector<std::thread> ts;
	for (int i = 0; i < 2; i++)
		ts.emplace_back([&] {
			for (int j = 0; j < 2000; j++) {
				std::unique_lock<std::shared_mutex> l(sm);
				a++;
				if (j % 100 == 0)
					std::this_thread::yield();
				b++;
			}
		});
	for (int i = 0; i < 3; i++)
		ts.emplace_back([&] {
			for (int j = 0; j < 2000; j++) {
				std::shared_lock<std::shared_mutex> l(sm);
				if (a != b)
					torn++;
			}
		});
	for (auto &t : ts)
		t.join();
	sm.lock_shared();
	bool other_shared = false, other_unique = true;
	std::thread t([&] {
		other_shared = sm.try_lock_shared();
		if (other_shared)
			sm.unlock_shared();
		other_unique = sm.try_lock();
	});
	t.join();
	sm.unlock_shared();
	std::printf("shared_mutex: %ld %ld, torn reads %d; while shared-locked: try_lock_shared %d, try_lock %d\n",
		    a, b, torn.load(), other_shared, other_unique);
}

static void test_atomics()
{
	std::atomic<long> n{0};
	std::vector<std::thread> ts;
	for (int i = 0; i < 4; i++)
		ts.emplace_back([&] {
			for (int j = 0; j < 100000; j++)
				n.fetch_add(1, std::memory_order_relaxed);
		});
	for (auto &t : ts)
		t.join();

	// atomic wait/notify: a relay of 4 threads passing a token 1000 times.
	std::atomic<int> token{0};
	std::vector<std::thread> relay;
	for (int me = 0; me < 4; me++)
		relay.emplace_back([&token, me] {
			for (int round = 0; round < 250; round++) {
				int want = round * 4 + me;
				int v;
				while ((v = token.load()) != want)
					token.wait(v);
				token.store(want + 1);
				token.notify_all();
			}
		});
	for (auto &t : relay)
		t.join();
	std::printf("atomic: fetch_add 4 x 100000 = %ld; wait/notify relay reached %d\n", n.load(), token.load());
}

static void test_cxx20_sync()
{
	std::latch ready(4);
	std::atomic<int> after{0};
	std::vector<std::thread> ts;
	for (int i = 0; i < 4; i++)
		ts.emplace_back([&] {
			ready.arrive_and_wait();
			after++;
		});
	for (auto &t : ts)
		t.join();

	std::atomic<int> phases{0};
	std::vector<int> slot(4);
	std::atomic<int> stale{0};
	std::barrier sync(4, [&]() noexcept { phases++; });
	ts.clear();
	for (int i = 0; i < 4; i++)
		ts.emplace_back([&, i] {
			for (int r = 1; r <= 20; r++) {
				slot[i] = r;
				sync.arrive_and_wait();
				for (int j = 0; j < 4; j++)
					if (slot[j] != r)
						stale++;
				sync.arrive_and_wait();
			}
		});
	for (auto &t : ts)
		t.join();

	std::counting_semaphore<> sem(0);
	std::thread poster([&] {
		for (int i = 0; i < 1000; i++)
			sem.release();
	});
	int got = 0;
	for (int i = 0; i < 1000; i++) {
		sem.acquire();
		got++;
	}
	poster.join();
	auto t0 = steady::now();
	bool acq = sem.try_acquire_for(10ms);
	long el = ms_since(t0);
	std::printf("latch: %d passed; barrier: %d phases, stale slots %d; counting_semaphore: %d acquired, "
		    "try_acquire_for 10 ms %d (>= 10 ms: %d)\n",
		    after.load(), phases.load(), stale.load(), got, acq, el >= 10);

	std::atomic<long> spins{0};
	std::jthread jt([&](std::stop_token st) {
		std::mutex m;
		std::condition_variable_any cv;
		std::unique_lock<std::mutex> l(m);
		cv.wait(l, st, [] { return false; });	// until stop is requested
		spins = st.stop_requested() ? 1 : 2;
	});
	std::this_thread::sleep_for(10ms);
	jt.request_stop();
	jt.join();
	std::printf("jthread: stop request woke the waiting thread %d\n", spins.load() == 1);
}

static std::atomic<int> constructed{0}, destroyed{0};

struct PerThread {
	int value = 7;
	PerThread() { constructed++; }
	~PerThread() { destroyed++; }
};

static thread_local PerThread per_thread;
static thread_local int tl_counter = 100;

static void test_thread_local()
{
	tl_counter = -1;
	std::vector<std::thread> ts;
	std::atomic<int> ok{0};
	for (int i = 0; i < 4; i++)
		ts.emplace_back([&, i] {
			bool fresh = tl_counter == 100 && per_thread.value == 7;
			tl_counter = i;
			per_thread.value = i * 10;
			std::this_thread::sleep_for(1ms);
			if (fresh && tl_counter == i && per_thread.value == i * 10)
				ok++;
		});
	for (auto &t : ts)
		t.join();
	std::printf("thread_local: %d of 4 threads had their own, constructed %d, destroyed %d, main's %d\n",
		    ok.load(), constructed.load(), destroyed.load(), tl_counter);

	std::once_flag once;
	std::atomic<int> calls{0};
	ts.clear();
	for (int i = 0; i < 4; i++)
		ts.emplace_back([&] { std::call_once(once, [&] { calls++; }); });
	for (auto &t : ts)
		t.join();
	std::printf("call_once: ran %d time\n", calls.load());
}

static void test_sleep_and_throw()
{
	auto t0 = steady::now();
	std::this_thread::sleep_for(10ms);
	long el = ms_since(t0);

	std::atomic<int> caught{0};
	std::vector<std::thread> ts;
	for (int i = 0; i < 4; i++)
		ts.emplace_back([&, i] {
			for (int j = 0; j < 100; j++) {
				try {
					std::string s(100, 'x');
					throw std::out_of_range("thread " + std::to_string(i));
				} catch (const std::out_of_range &) {
					caught++;
				}
			}
		});
	for (auto &t : ts)
		t.join();

	std::exception_ptr ep;
	std::thread t([&] {
		try {
			throw std::logic_error("carried across threads");
		} catch (...) {
			ep = std::current_exception();
		}
	});
	t.join();
	std::string what;
	try {
		std::rethrow_exception(ep);
	} catch (const std::logic_error &e) {
		what = e.what();
	}
	std::printf("sleep_for 10 ms (>= 10 ms: %d); exceptions caught on 4 threads: %d; exception_ptr: \"%s\"\n",
		    el >= 10, caught.load(), what.c_str());
}

int main()
{
	std::setvbuf(stdout, nullptr, _IOLBF, 0);
	test_thread_mutex();
	test_condvar();
	test_async();
	test_shared_mutex();
	test_atomics();
	test_cxx20_sync();
	test_thread_local();
	test_sleep_and_throw();
	std::printf("done\n");
	return 0;
}
