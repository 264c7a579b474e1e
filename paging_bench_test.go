package clerk_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerk-go"
)

// BenchmarkAllOverADistantAPI walks 20,000 memberships (40 pages of 500)
// against a server that answers each request after 50 ms, as a distant API
// does. The sequential floor is 40 x 50 ms = 2 s; the metric floor-ratio is
// the walk's time divided by that floor.
func BenchmarkAllOverADistantAPI(b *testing.B) {
	const (
		members = 20_000
		latency = 50 * time.Millisecond
		floor   = members / 500 * latency
	)
	pages := map[string][]byte{} // by offset, built before timing starts
	for o := 0; o < members; o += 500 {
		key := ""
		if o > 0 {
			key = strconv.Itoa(o)
		}
		pages[key] = pageBody(500, 0, members)
	}
	srv, _ := connCountingServer(b, func(w http.ResponseWriter, r *http.Request) {
		body := pages[r.URL.Query().Get("offset")]
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
	for _, k := range []int{1, 4, 8} {
		b.Run("pages="+strconv.Itoa(k), func(b *testing.B) {
			client, err := clerk.NewClient(benchKey, clerk.WithBaseURL(srv.URL+"/v1/"), clerk.WithPageConcurrency(k))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				n := 0
				for _, err := range client.OrganizationMemberships.All(context.Background(), "org_1", nil) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != members {
					b.Fatalf("walked %d memberships, want %d", n, members)
				}
			}
			b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(floor), "floor-ratio")
		})
	}
}
