// gothreads - a static Go program (CGO_ENABLED=0) whose runtime runs
// goroutines on several OS threads (runtime.GOMAXPROCS(4)): clone threads,
// futex sleeps and wakes, timers, signals between threads (asynchronous
// preemption sends SIGURG with tgkill), and signal.Notify.
//
// Goroutines, sync.WaitGroup, sync.Mutex, channels (unbuffered, buffered,
// a pipeline, the concurrent prime sieve), select with a timeout,
// time.Sleep(10ms), a ticker, context deadlines, sync.Cond and Once,
// atomics, goroutines that spin without calls until preempted, a garbage
// collection while goroutines allocate, recover in a goroutine, a locked
// OS thread, and a signal delivered to a channel.
//
// Only the main goroutine prints, so the output is the same on every run,
// natively or under lstar.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func atLeast(t0 time.Time, d time.Duration) bool { return time.Since(t0) >= d }

func primes(n int) []int {
	gen := func(ch chan<- int) {
		for i := 2; ; i++ {
			ch <- i
		}
	}
	filter := func(in <-chan int, out chan<- int, p int) {
		for {
			if i := <-in; i%p != 0 {
				out <- i
			}
		}
	}
	ch := make(chan int)
	go gen(ch)
	var ps []int
	for i := 0; i < n; i++ {
		p := <-ch
		ps = append(ps, p)
		ch1 := make(chan int)
		go filter(ch, ch1, p)
		ch = ch1
	}
	return ps
}

func main() {
	runtime.GOMAXPROCS(4)
	fmt.Println("GOMAXPROCS:", runtime.GOMAXPROCS(0))

	// goroutines + WaitGroup + Mutex
	var wg sync.WaitGroup
	var mu sync.Mutex
	counter := 0
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 1000; j++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	fmt.Println("WaitGroup+Mutex: 100 goroutines x 1000 =", counter)

	// unbuffered ping-pong
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	ok := 0
	for i := 0; i < 1000; i++ {
		ping <- i
		if <-pong == i+1 {
			ok++
		}
	}
	close(ping)
	_, open := <-pong
	fmt.Println("unbuffered channel: round trips", ok, "closed after", !open)

	// buffered pipeline: generate -> square -> sum
	nums := make(chan int, 16)
	squares := make(chan int, 16)
	go func() {
		for i := 1; i <= 1000; i++ {
			nums <- i
		}
		close(nums)
	}()
	var sq sync.WaitGroup
	for w := 0; w < 4; w++ {
		sq.Add(1)
		go func() {
			defer sq.Done()
			for n := range nums {
				squares <- n * n
			}
		}()
	}
	go func() { sq.Wait(); close(squares) }()
	sum := 0
	for s := range squares {
		sum += s
	}
	fmt.Println("pipeline: sum of squares 1..1000 =", sum)

	ps := primes(100)
	fmt.Println("prime sieve: 100 primes, last", ps[len(ps)-1], "goroutines in the chain >= 100:", runtime.NumGoroutine() >= 100)

	// select with a timeout on a channel nobody writes
	never := make(chan int)
	t0 := time.Now()
	timedOut := false
	select {
	case <-never:
	case <-time.After(10 * time.Millisecond):
		timedOut = true
	}
	fmt.Println("select: time.After(10ms) won", timedOut, ">= 10ms:", atLeast(t0, 10*time.Millisecond))

	// time.Sleep, alone and in 100 goroutines at once
	t0 = time.Now()
	time.Sleep(10 * time.Millisecond)
	slept := atLeast(t0, 10*time.Millisecond)
	var sleepers sync.WaitGroup
	var woke int32
	for i := 0; i < 100; i++ {
		sleepers.Add(1)
		go func() {
			defer sleepers.Done()
			s := time.Now()
			time.Sleep(10 * time.Millisecond)
			if atLeast(s, 10*time.Millisecond) {
				atomic.AddInt32(&woke, 1)
			}
		}()
	}
	sleepers.Wait()
	fmt.Println("time.Sleep(10ms): >= 10ms:", slept, "; 100 sleeping goroutines woke after >= 10ms:", woke)

	// ticker
	tk := time.NewTicker(2 * time.Millisecond)
	ticks := 0
	for range tk.C {
		ticks++
		if ticks == 5 {
			break
		}
	}
	tk.Stop()
	fmt.Println("ticker: ticks", ticks)

	// context deadline
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	<-ctx.Done()
	cancel()
	fmt.Println("context: deadline exceeded", ctx.Err() == context.DeadlineExceeded)

	// sync.Cond broadcast, sync.Once
	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	ready, waiting, released := false, 0, 0
	var cw sync.WaitGroup
	for i := 0; i < 6; i++ {
		cw.Add(1)
		go func() {
			defer cw.Done()
			cmu.Lock()
			waiting++
			for !ready {
				cond.Wait()
			}
			released++
			cmu.Unlock()
		}()
	}
	for {
		cmu.Lock()
		if waiting == 6 {
			ready = true
			cond.Broadcast()
			cmu.Unlock()
			break
		}
		cmu.Unlock()
		runtime.Gosched()
	}
	cw.Wait()
	var once sync.Once
	onceCalls := 0
	var ow sync.WaitGroup
	for i := 0; i < 8; i++ {
		ow.Add(1)
		go func() { defer ow.Done(); once.Do(func() { onceCalls++ }) }()
	}
	ow.Wait()
	fmt.Println("sync.Cond: released", released, "of 6; sync.Once ran", onceCalls)

	// atomics
	var n int64
	var aw sync.WaitGroup
	for i := 0; i < 8; i++ {
		aw.Add(1)
		go func() {
			defer aw.Done()
			for j := 0; j < 10000; j++ {
				atomic.AddInt64(&n, 1)
			}
		}()
	}
	aw.Wait()
	fmt.Println("atomic: 8 x 10000 =", atomic.LoadInt64(&n))

	// 8 goroutines spin without function calls on 4 Ps: the main goroutine
	// gets a P back only through asynchronous preemption (SIGURG).
	var stop, saw int32
	var spin sync.WaitGroup
	for i := 0; i < 8; i++ {
		spin.Add(1)
		go func() {
			defer spin.Done()
			for atomic.LoadInt32(&stop) == 0 {
			}
			atomic.AddInt32(&saw, 1)
		}()
	}
	time.Sleep(10 * time.Millisecond)
	atomic.StoreInt32(&stop, 1)
	spin.Wait()
	fmt.Println("preemption: 8 spinning goroutines stopped:", saw)

	// garbage collection while goroutines allocate
	var gw sync.WaitGroup
	var kept int64
	for i := 0; i < 4; i++ {
		gw.Add(1)
		go func() {
			defer gw.Done()
			var keep [][]byte
			for j := 0; j < 2000; j++ {
				b := make([]byte, 1024)
				b[0] = byte(j)
				if j%100 == 0 {
					keep = append(keep, b)
				}
			}
			atomic.AddInt64(&kept, int64(len(keep)))
		}()
	}
	runtime.GC()
	gw.Wait()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Println("GC: kept", kept, "slices; collections happened:", ms.NumGC >= 2)

	// recover in a goroutine
	rec := make(chan interface{})
	go func() {
		defer func() { rec <- recover() }()
		var m map[string]int
		m["x"] = 1 // panics: assignment to entry in nil map
	}()
	fmt.Println("recover in a goroutine:", <-rec)

	// a locked OS thread is another thread of the same process
	type ids struct{ pid, tid int }
	idc := make(chan ids)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		idc <- ids{os.Getpid(), syscall.Gettid()}
	}()
	got := <-idc
	fmt.Println("LockOSThread: same pid", got.pid == os.Getpid(), "; a thread id is not 0", got.tid > 0)

	// a signal delivered to a channel
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	select {
	case s := <-sigs:
		fmt.Println("signal.Notify: received", s)
	case <-time.After(5 * time.Second):
		fmt.Println("signal.Notify: FAIL, nothing in 5 s")
	}
	signal.Stop(sigs)

	fmt.Println("done")
}
