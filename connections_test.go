package clerk_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	clerk "github.com/clerkkit/clerk-go"
)

// connCountingServer serves handler and counts the TCP connections opened to it.
func connCountingServer(tb testing.TB, handler http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	tb.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv, &conns
}

// hammer makes calls List calls from workers goroutines sharing client.
func hammer(t *testing.T, client *clerk.Client, workers, calls int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < calls; i += workers {
				if _, _, err := client.OrganizationMemberships.List(context.Background(), "org_1", nil); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err, "every call succeeds")
	}
}

var smallPage = pageBody(10, 0, 10)

func TestTheDefaultClientReusesConnectionsUnderConcurrency(t *testing.T) {
	srv, conns := connCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(smallPage)
	})
	client, err := clerk.NewClient(benchKey, clerk.WithBaseURL(srv.URL+"/v1/"))
	require.NoError(t, err)
	hammer(t, client, 50, 2000)
	assert.LessOrEqual(t, conns.Load(), int64(60), "2,000 calls from 50 goroutines")
}

func TestConnectionsAreReusedAcrossErrorsAndRetries(t *testing.T) {
	var n atomic.Int64
	srv, conns := connCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch n.Add(1) % 5 {
		case 0: // an error body the client must drain before retrying
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"errors":[{"code":"internal_clerk_error","message":"Oops","long_message":"Oops, an unexpected error occurred"}],"clerk_trace_id":"t"}`))
		case 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"errors":[{"code":"too_many_requests","message":"Too many requests","long_message":"Too many requests, retry later"}]}`))
		default:
			_, _ = w.Write(smallPage)
		}
	})
	// 2 answers in 5 fail, in whatever order concurrent calls meet them; 40
	// retries make a call that fails them all (0.4^41) practically impossible.
	client, err := clerk.NewClient(benchKey, clerk.WithBaseURL(srv.URL+"/v1/"),
		clerk.WithRetryPolicy(clerk.RetryPolicy{MaxRetries: 40, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
	require.NoError(t, err)
	hammer(t, client, 50, 2000)
	assert.Greater(t, n.Load(), int64(2000), "some calls were retried")
	assert.LessOrEqual(t, conns.Load(), int64(60))
}

// BenchmarkConnections reports the TCP connections a fresh client opens for
// 2,000 List calls from 50 goroutines: the SDK's default client against plain
// net/http with http.DefaultTransport, which keeps only 2 idle connections per
// host and so closes and redials most of them.
func BenchmarkConnections(b *testing.B) {
	impls := []struct {
		name string
		call func(base string) func() error
	}{
		{"impl=sdk", func(base string) func() error {
			client, err := clerk.NewClient(benchKey, clerk.WithBaseURL(base))
			if err != nil {
				b.Fatal(err)
			}
			return func() error {
				_, _, err := client.OrganizationMemberships.List(context.Background(), "org_1", nil)
				return err
			}
		}},
		{"impl=plain-net-http", func(base string) func() error {
			h := handWritten{hc: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}, base: base}
			return func() error {
				var page clerk.OrganizationMemberships
				return h.do(context.Background(), http.MethodGet, "organizations/org_1/memberships", nil, &page)
			}
		}},
	}
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			srv, conns := connCountingServer(b, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(smallPage) })
			var total int64
			for b.Loop() {
				before := conns.Load()
				call := impl.call(srv.URL + "/v1/")
				var wg sync.WaitGroup
				for w := range 50 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := w; i < 2000; i += 50 {
							if err := call(); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				total += conns.Load() - before
			}
			b.ReportMetric(float64(total)/float64(b.N), "conns/2000calls")
		})
	}
}
