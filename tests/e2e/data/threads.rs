// threads.rs - compiled by rustc under lstar in tests/e2e/dynamic.cmake,
// then run natively and under lstar: four threads, their results summed.
fn main() {
    let handles: Vec<_> = (0..4).map(|i| std::thread::spawn(move || i * 2)).collect();
    let sum: i32 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    println!("{}", sum);
}
