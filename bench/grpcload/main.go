// grpcload drives one unary gRPC method with a fixed, pre-serialised request, either as fast as
// a number of workers can (closed loop) or at a fixed rate (open loop, latency measured from each
// call's scheduled start, so a stall is not hidden by the calls it delayed). It passes bytes
// through a no-op codec instead of building a dynamic message per call, which is what makes ghz
// spend 100-200 µs of CPU per call; here the load generator stays small next to the service.
//
// It prints one JSON object: count, errors, denied (responses whose CheckResponse status was not
// OK), seconds, rps and latency percentiles in milliseconds.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
)

// rawCodec sends and receives message bytes unchanged. Named "proto" so the content type is the
// standard application/grpc+proto.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append((*(v.(*[]byte)))[:0], data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

// allowed reads CheckResponse.status.code (field 1, then field 1 of google.rpc.Status): OK is 0.
func allowed(response []byte) bool {
	if len(response) == 0 || response[0] != 0x0a {
		return len(response) == 0
	}
	length, n := varint(response[1:])
	status := response[1+n:]
	if length == 0 {
		return true
	}
	if len(status) == 0 || status[0] != 0x08 {
		return true
	}
	code, _ := varint(status[1:])
	return code == 0
}

func varint(b []byte) (uint64, int) {
	var x uint64
	for i, c := range b {
		x |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return x, i + 1
		}
	}
	return 0, len(b)
}

type result struct {
	Count   int64   `json:"count"`
	Errors  int64   `json:"errors"`
	Denied  int64   `json:"denied"`
	Seconds float64 `json:"seconds"`
	RPS     float64 `json:"rps"`
	P50     float64 `json:"p50_ms"`
	P90     float64 `json:"p90_ms"`
	P99     float64 `json:"p99_ms"`
	P999    float64 `json:"p999_ms"`
	Max     float64 `json:"max_ms"`
	Error   string  `json:"first_error,omitempty"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:9191", "host:port")
	method := flag.String("method", "/envoy.service.auth.v3.Authorization/Check", "full method name")
	dataFile := flag.String("data", "", "file with the serialised request message")
	rps := flag.Int("rps", 0, "calls per second; 0 = as fast as the workers go")
	workers := flag.Int("concurrency", 32, "concurrent calls at most")
	connections := flag.Int("connections", 2, "HTTP/2 connections, calls spread round robin")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	timeout := flag.Duration("timeout", 2*time.Second, "per-call deadline")
	flag.Parse()

	request, err := os.ReadFile(*dataFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	encoding.RegisterCodec(rawCodec{})
	conns := make([]*grpc.ClientConn, *connections)
	for i := range conns {
		conns[i], err = grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer conns[i].Close()
	}

	var count, errors, denied atomic.Int64
	var firstError atomic.Value
	latencies := make([][]time.Duration, *workers)
	call := func(worker int, conn *grpc.ClientConn, scheduled time.Time, response *[]byte) {
		ctx, cancel := context.WithTimeout(context.Background(), *timeout)
		err := conn.Invoke(ctx, *method, &request, response)
		cancel()
		latencies[worker] = append(latencies[worker], time.Since(scheduled))
		count.Add(1)
		if err != nil {
			errors.Add(1)
			firstError.CompareAndSwap(nil, err.Error())
		} else if !allowed(*response) {
			denied.Add(1)
		}
	}

	start := time.Now()
	end := start.Add(*duration)
	var wg sync.WaitGroup
	if *rps == 0 {
		for w := 0; w < *workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				var response []byte
				for time.Now().Before(end) {
					call(w, conns[w%len(conns)], time.Now(), &response)
				}
			}(w)
		}
	} else {
		// Open loop: call i is due at start + i/rps. A worker that picks it up late still measures
		// from when it was due.
		interval := time.Second / time.Duration(*rps)
		due := make(chan time.Time, *workers*4)
		for w := 0; w < *workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				var response []byte
				for scheduled := range due {
					call(w, conns[w%len(conns)], scheduled, &response)
				}
			}(w)
		}
		for i := 0; ; i++ {
			scheduled := start.Add(time.Duration(i) * interval)
			if !scheduled.Before(end) {
				break
			}
			if wait := time.Until(scheduled); wait > 0 {
				time.Sleep(wait)
			}
			due <- scheduled
		}
		close(due)
	}
	wg.Wait()
	elapsed := time.Since(start)

	var all []time.Duration
	for _, l := range latencies {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	rank := func(q float64) float64 {
		if len(all) == 0 {
			return 0
		}
		i := int(q*float64(len(all))+0.999999) - 1
		if i < 0 {
			i = 0
		}
		if i >= len(all) {
			i = len(all) - 1
		}
		return float64(all[i]) / 1e6
	}
	r := result{Count: count.Load(), Errors: errors.Load(), Denied: denied.Load(), Seconds: elapsed.Seconds(),
		RPS: float64(count.Load()) / elapsed.Seconds(), P50: rank(0.50), P90: rank(0.90), P99: rank(0.99), P999: rank(0.999), Max: rank(1)}
	if e, ok := firstError.Load().(string); ok {
		r.Error = e
	}
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
}
