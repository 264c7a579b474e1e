package clerk_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
)

// BenchmarkCreatesUnderRateLimit makes 500 Creates from 20 goroutines against
// clerktest limiting to 50 requests per second (Clerk's shape, scaled down:
// 429 with Retry-After beyond the limit), once with the client-side limiter
// and once relying on retries alone. It reports the rate achieved, its share
// of the allowed rate, and how many 429s the server sent. Run it with
// -benchtime=1x: each run takes about ten seconds.
func BenchmarkCreatesUnderRateLimit(b *testing.B) {
	const (
		creates = 500
		workers = 20
		limit   = 50 // per window
		window  = time.Second
	)
	cases := []struct {
		name string
		opts []clerk.Option
	}{
		// A token bucket of rate r and burst 1 sends at most 1 + r·w requests
		// in any window w, so r = (limit-1)/w never exceeds the server's limit.
		{"limiter=49rps-burst1", []clerk.Option{clerk.WithRateLimit(float64(limit-1)/window.Seconds(), 1)}},
		{"limiter=none", []clerk.Option{clerk.WithRetryPolicy(clerk.RetryPolicy{MaxRetries: 20, MinWait: 10 * time.Millisecond, MaxWait: 5 * time.Second})}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var elapsed time.Duration
			var limited int
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				srv := clerktest.NewServer()
				org := srv.AddOrganization("Bulk import")
				users := make([]string, creates)
				for j := range users {
					users[j] = srv.AddUser(clerktest.User{})
				}
				client := srv.Client(tc.opts...)
				srv.SetRateLimit(limit, window)
				b.StartTimer()

				start := time.Now()
				var wg sync.WaitGroup
				errs := make(chan error, creates)
				for w := range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for j := w; j < creates; j += workers {
							_, _, err := client.OrganizationMemberships.Create(context.Background(), org,
								clerk.CreateOrganizationMembershipParams{UserID: users[j], Role: "org:member"})
							if err != nil {
								errs <- err
							}
						}
					}()
				}
				wg.Wait()
				elapsed += time.Since(start)
				close(errs)
				for err := range errs {
					b.Fatalf("a create failed: %v", err)
				}

				b.StopTimer()
				srv.SetRateLimit(0, 0)
				n := 0
				for _, err := range client.OrganizationMemberships.All(context.Background(), org, nil) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != creates {
					b.Fatalf("%d memberships exist, want %d: each must be created exactly once", n, creates)
				}
				for _, r := range srv.Requests() {
					if r.Status == http.StatusTooManyRequests {
						limited++
					}
				}
				srv.Close()
				b.StartTimer()
			}
			rate := float64(creates*b.N) / elapsed.Seconds()
			b.ReportMetric(rate, "creates/s")
			b.ReportMetric(rate/(limit/window.Seconds()), "of-allowed-rate")
			b.ReportMetric(float64(limited)/float64(b.N), "429s/op")
		})
	}
}
