//! The load generator of `bench/store.sh` for `/token`: redeems every code of `CODES_FILE`
//! (`client_id code` lines, from `store_target`) once, over `CONNECTIONS` kept-alive
//! connections (16 by default), then replays a hundred of them. Prints the rate, the latency
//! percentiles and how many answers were what they must be; exits non-zero otherwise.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const VERIFIER: &str = "bench-verifier-bench-verifier-bench-verifier-0123456789";
const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

#[tokio::main]
async fn main() {
    let path = std::env::var("CODES_FILE").expect("CODES_FILE names the codes");
    let port = std::env::var("PORT").unwrap_or_else(|_| "4300".into());
    let connections: usize = std::env::var("CONNECTIONS").ok().and_then(|c| c.parse().ok()).unwrap_or(16);
    let url = format!("http://127.0.0.1:{port}/token");
    let codes: Arc<Vec<(String, String)>> = Arc::new(
        std::fs::read_to_string(&path)
            .expect("the codes file")
            .lines()
            .filter_map(|line| line.split_once(' ').map(|(c, k)| (c.to_owned(), k.to_owned())))
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (codes, next, url) = (Arc::clone(&codes), Arc::clone(&next), url.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::builder().pool_max_idle_per_host(1).build().expect("a client");
                let mut seen = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((client, code)) = codes.get(i) else { return seen };
                    let sent = Instant::now();
                    let status = redeem(&http, &url, client, code).await;
                    seen.push((sent.elapsed(), status));
                }
            })
        })
        .collect();
    let mut answers = Vec::with_capacity(codes.len());
    for worker in workers {
        answers.extend(worker.await.expect("a worker"));
    }
    let elapsed = started.elapsed();
    let http = reqwest::Client::new();
    let mut replays_refused = 0;
    for (client, code) in codes.iter().step_by((codes.len() / 100).max(1)) {
        if redeem(&http, &url, client, code).await == 400 {
            replays_refused += 1;
        }
    }
    let redeemed = answers.iter().filter(|(_, status)| *status == 200).count();
    let mut latencies: Vec<Duration> = answers.iter().map(|(latency, _)| *latency).collect();
    latencies.sort();
    let percentile = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!("codes: {}", codes.len());
    println!("redeemed: {redeemed}");
    println!("replays refused: {replays_refused} of {}", codes.iter().step_by((codes.len() / 100).max(1)).count());
    println!("seconds: {:.3}", elapsed.as_secs_f64());
    println!("requests/s: {:.0}", codes.len() as f64 / elapsed.as_secs_f64());
    println!("p50 ms: {:.2}", percentile(0.50).as_secs_f64() * 1000.0);
    println!("p99 ms: {:.2}", percentile(0.99).as_secs_f64() * 1000.0);
    if redeemed != codes.len() {
        eprintln!("{} codes were not redeemed", codes.len() - redeemed);
        std::process::exit(1);
    }
}

/// One authorization-code grant at `/token`; its status.
async fn redeem(http: &reqwest::Client, url: &str, client: &str, code: &str) -> u16 {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("client_id", client)
        .append_pair("code", code)
        .append_pair("code_verifier", VERIFIER)
        .append_pair("redirect_uri", REDIRECT_URI)
        .finish();
    match http.post(url).header("content-type", "application/x-www-form-urlencoded").body(body).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let _ = response.bytes().await;
            status
        }
        Err(_) => 0,
    }
}
