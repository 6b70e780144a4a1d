// rust_threads.rs - Rust's std threads in a static program (rustc -C
// target-feature=+crt-static): thread::spawn and join values, mpsc
// channels (unbounded and rendezvous), Arc<Mutex>, RwLock, Condvar and its
// timed wait, Barrier, scoped threads, thread_local!, named threads,
// sleep, and a panic on a thread seen by join.
//
// Only the main thread prints, after the others are joined, so the output
// is the same on every run, natively or under lstar.  A panic hook prints
// the panic's thread and message to standard error (the default message
// would add the thread's id, which differs between runs).
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Condvar, Mutex, RwLock};
use std::thread;
use std::time::{Duration, Instant};

thread_local! {
    static PER_THREAD: Cell<u32> = Cell::new(100);
}

fn main() {
    // spawn and join values
    let handles: Vec<_> = (0..8u64).map(|i| thread::spawn(move || i * i)).collect();
    let squares: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    println!("join: {:?}", squares);

    // Arc<Mutex>: 4 threads x 50000 increments
    let counter = Arc::new(Mutex::new(0u64));
    let hs: Vec<_> = (0..4)
        .map(|_| {
            let c = Arc::clone(&counter);
            thread::spawn(move || {
                for _ in 0..50000 {
                    *c.lock().unwrap() += 1;
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    println!("Arc<Mutex>: {}, strong count back to {}", *counter.lock().unwrap(), Arc::strong_count(&counter));

    // mpsc: 4 producers, one consumer
    let (tx, rx) = mpsc::channel::<u64>();
    for p in 0..4u64 {
        let tx = tx.clone();
        thread::spawn(move || {
            for i in 1..=2500 {
                tx.send(p * 100000 + i).unwrap();
            }
        });
    }
    drop(tx);
    let (mut n, mut sum) = (0u64, 0u64);
    for v in rx {
        n += 1;
        sum += v;
    }
    println!("mpsc: received {} values, sum {}; the channel closed when the senders ended", n, sum);

    // sync_channel(0): a rendezvous, ping-pong 1000 times
    let (to_worker, worker_rx) = mpsc::sync_channel::<u32>(0);
    let (to_main, main_rx) = mpsc::sync_channel::<u32>(0);
    let ponger = thread::spawn(move || {
        let mut n = 0;
        for v in worker_rx {
            to_main.send(v + 1).unwrap();
            n += 1;
        }
        n
    });
    let mut ok = 0;
    for i in 0..1000 {
        to_worker.send(i).unwrap();
        if main_rx.recv().unwrap() == i + 1 {
            ok += 1;
        }
    }
    drop(to_worker);
    println!("sync_channel(0): {} round trips, the worker counted {}", ok, ponger.join().unwrap());

    // recv_timeout on an empty channel
    let (_keep, empty) = mpsc::channel::<u32>();
    let t0 = Instant::now();
    let r = empty.recv_timeout(Duration::from_millis(10));
    println!("recv_timeout 10 ms: timed out {} (>= 10 ms: {})",
             r == Err(mpsc::RecvTimeoutError::Timeout), t0.elapsed() >= Duration::from_millis(10));

    // RwLock: writers keep two fields equal, readers check
    let rw = Arc::new(RwLock::new((0u64, 0u64)));
    let torn = Arc::new(AtomicUsize::new(0));
    let mut hs = Vec::new();
    for _ in 0..2 {
        let rw = Arc::clone(&rw);
        hs.push(thread::spawn(move || {
            for j in 0..2000 {
                let mut g = rw.write().unwrap();
                g.0 += 1;
                if j % 100 == 0 {
                    thread::yield_now();
                }
                g.1 += 1;
            }
        }));
    }
    for _ in 0..3 {
        let rw = Arc::clone(&rw);
        let torn = Arc::clone(&torn);
        hs.push(thread::spawn(move || {
            for _ in 0..2000 {
                let g = rw.read().unwrap();
                if g.0 != g.1 {
                    torn.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for h in hs {
        h.join().unwrap();
    }
    println!("RwLock: {:?}, torn reads {}", *rw.read().unwrap(), torn.load(Ordering::Relaxed));

    // Condvar: wake one waiter; then a timed wait nobody signals
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let p2 = Arc::clone(&pair);
    let waiter = thread::spawn(move || {
        let (m, cv) = &*p2;
        let mut ready = m.lock().unwrap();
        while !*ready {
            ready = cv.wait(ready).unwrap();
        }
        "woken"
    });
    thread::sleep(Duration::from_millis(10));
    {
        let (m, cv) = &*pair;
        *m.lock().unwrap() = true;
        cv.notify_one();
    }
    let woke = waiter.join().unwrap();
    let (m, cv) = &*pair;
    let t0 = Instant::now();
    let (_g, res) = cv.wait_timeout(m.lock().unwrap(), Duration::from_millis(10)).unwrap();
    println!("Condvar: waiter {}; wait_timeout 10 ms timed out {} (>= 10 ms: {})",
             woke, res.timed_out(), t0.elapsed() >= Duration::from_millis(10));

    // Barrier: 4 threads, 20 rounds, one leader per round
    let barrier = Arc::new(Barrier::new(4));
    let slots = Arc::new((0..4).map(|_| AtomicUsize::new(0)).collect::<Vec<_>>());
    let leaders = Arc::new(AtomicUsize::new(0));
    let stale = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..4)
        .map(|me| {
            let (b, s, l, st) = (Arc::clone(&barrier), Arc::clone(&slots), Arc::clone(&leaders), Arc::clone(&stale));
            thread::spawn(move || {
                for r in 1..=20 {
                    s[me].store(r, Ordering::SeqCst);
                    if b.wait().is_leader() {
                        l.fetch_add(1, Ordering::SeqCst);
                    }
                    for j in 0..4 {
                        if s[j].load(Ordering::SeqCst) != r {
                            st.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    b.wait();
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    println!("Barrier: 20 rounds, leaders {}, stale slots {}", leaders.load(Ordering::SeqCst), stale.load(Ordering::SeqCst));

    // scoped threads borrow from the stack
    let data: Vec<u64> = (1..=1000).collect();
    let parts: Vec<u64> = thread::scope(|s| {
        let hs: Vec<_> = data.chunks(250).map(|c| s.spawn(move || c.iter().sum::<u64>())).collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    println!("scope: partial sums {:?}, total {}", parts, parts.iter().sum::<u64>());

    // thread_local!
    PER_THREAD.with(|v| v.set(1));
    let hs: Vec<_> = (0..4u32)
        .map(|i| {
            thread::spawn(move || {
                let fresh = PER_THREAD.with(|v| v.get()) == 100;
                PER_THREAD.with(|v| v.set(i));
                thread::sleep(Duration::from_millis(1));
                fresh && PER_THREAD.with(|v| v.get()) == i
            })
        })
        .collect();
    let own = hs.into_iter().map(|h| h.join().unwrap()).filter(|&b| b).count();
    println!("thread_local!: {} of 4 threads had their own, main's {}", own, PER_THREAD.with(|v| v.get()));

    // named thread, sleep, a panic seen by join
    let named = thread::Builder::new()
        .name("worker-7".into())
        .spawn(|| thread::current().name().map(String::from))
        .unwrap();
    println!("Builder: thread name {:?}", named.join().unwrap());
    let t0 = Instant::now();
    thread::sleep(Duration::from_millis(10));
    println!("sleep 10 ms: {}", t0.elapsed() >= Duration::from_millis(10));
    std::panic::set_hook(Box::new(|info| {
        let msg = info.payload().downcast_ref::<&str>().copied().unwrap_or("?");
        eprintln!("panic hook: thread {:?} panicked: {}", thread::current().name(), msg);
    }));
    let panicker = thread::Builder::new()
        .name("panicker".into())
        .spawn(|| {
            if thread::current().name() == Some("panicker") {
                panic!("deliberate panic on a thread");
            }
            0
        })
        .unwrap();
    let r = panicker.join();
    let msg = r
        .as_ref()
        .err()
        .and_then(|e| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    println!("panic on a thread: join is_err {}, payload {:?}", r.is_err(), msg);
    println!("done");
}
