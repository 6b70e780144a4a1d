// rust_panic.rs - panics caught with catch_unwind in a static Rust program
// (rustc -C target-feature=+crt-static: glibc and libgcc's unwinder linked
// in).  Unwinding reads the shadow-stack pointer with RDSSPQ (a NOP without
// CET); a CPU that refused it would kill the program with SIGILL at the
// first panic.  The output names each step so that a native run and an
// lstar run can be compared line by line.
use std::panic;

struct Noisy(&'static str);

impl Drop for Noisy {
    fn drop(&mut self) {
        println!("drop {}", self.0);
    }
}

#[inline(never)]
fn deep(n: u32) -> u32 {
    let _guard = Noisy(if n % 2 == 1 { "odd frame" } else { "even frame" });
    if n == 0 {
        panic!("bottom reached");
    }
    deep(n - 1) + 1
}

#[inline(never)]
fn checked_div(a: i32, b: i32) -> i32 {
    if b == 0 {
        panic!("division of {} by zero", a);
    }
    a / b
}

fn message(e: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = e.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = e.downcast_ref::<String>() {
        s.clone()
    } else if let Some(n) = e.downcast_ref::<i32>() {
        format!("i32 payload {}", n)
    } else {
        "unknown payload".to_string()
    }
}

fn main() {
    // The default hook prints to standard error with a thread name; keep
    // the comparison on standard output only.
    panic::set_hook(Box::new(|_| {}));

    // 1. A panic with a &str payload, through frames with destructors.
    let r = panic::catch_unwind(|| deep(4));
    match r {
        Ok(v) => println!("no panic: {}", v),
        Err(e) => println!("caught: {}", message(&e)),
    }

    // 2. A formatted (String) payload.
    let r = panic::catch_unwind(|| checked_div(7, 0));
    println!("caught: {}", message(&r.unwrap_err()));

    // 3. A panic from the standard library (index out of bounds).
    let v = vec![1, 2, 3];
    let idx = v.len() + std::env::args().count() + 4;
    let r = panic::catch_unwind(|| v[idx]);
    println!("index panic caught: {}", r.is_err());

    // 4. resume_unwind with a custom payload, caught again.
    let r = panic::catch_unwind(|| {
        let inner = panic::catch_unwind(|| panic::resume_unwind(Box::new(99i32)));
        let e = inner.unwrap_err();
        println!("inner: {}", message(&e));
        panic::resume_unwind(e);
    });
    println!("outer: {}", message(&r.unwrap_err()));

    // 5. Many panics in a loop.
    let mut caught = 0;
    for k in 0..1000 {
        if panic::catch_unwind(|| checked_div(k, k % 3)).is_err() {
            caught += 1;
        }
    }
    println!("caught {} of 1000", caught);
}
