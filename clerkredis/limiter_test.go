package clerkredis

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/redis/go-redis/v9"
)

func TestNewLimiterRefusesBadInput(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	ok := Limit{Requests: 10, Per: time.Second}
	for _, tc := range []struct {
		name string
		rdb  redis.UniversalClient
		key  string
		l    Limit
		opts []LimiterOption
		want string
	}{
		{"a nil client is refused", nil, "k", ok, nil, "Redis client is nil"},
		{"an empty key is refused", rdb, "", ok, nil, "key is empty"},
		{"zero requests are refused", rdb, "k", Limit{Requests: 0, Per: time.Second}, nil, "Requests is 0"},
		{"a zero period is refused", rdb, "k", Limit{Requests: 1}, nil, "Per is 0s"},
		{"a negative burst is refused", rdb, "k", Limit{Requests: 1, Per: time.Second, Burst: -1}, nil, "Burst is -1"},
		{"a bad operation limit is refused", rdb, "k", ok, []LimiterOption{WithOperationLimit("Op", Limit{Requests: 1})}, `WithOperationLimit("Op"): Per is 0s`},
		{"an empty operation name is refused", rdb, "k", ok, []LimiterOption{WithOperationLimit("", ok)}, "operation name is empty"},
		{"a nil fallback is refused", rdb, "k", ok, []LimiterOption{WithFallback(nil)}, "WithFallback: the Limiter is nil"},
		{"a nil option is refused", rdb, "k", ok, []LimiterOption{nil}, "option is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := NewLimiter(tc.rdb, tc.key, tc.l, tc.opts...)
			if err == nil || l != nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewLimiter = %v, %v; want nil and an error containing %q", l, err, tc.want)
			}
		})
	}
}

func TestLimiterGCRA(t *testing.T) {
	rdb, prefix := testRedis(t)
	ctx := context.Background()
	// One request per second, three at once.
	l, err := NewLimiter(rdb, prefix+"gcra", Limit{Requests: 10, Per: 10 * time.Second, Burst: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("exactly the burst is allowed at once", func(t *testing.T) {
		var allowed int
		for range 6 {
			ok, _, err := l.reserve(ctx, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				allowed++
			}
		}
		if allowed != 3 {
			t.Fatalf("%d of 6 requests allowed at once; want the burst, 3", allowed)
		}
	})
	t.Run("then one per interval is reserved", func(t *testing.T) {
		for k := 1; k <= 4; k++ {
			ok, wait, err := l.reserve(ctx, "", -1)
			if err != nil || !ok {
				t.Fatalf("reserve = %v, %v", ok, err)
			}
			want := time.Duration(k) * time.Second
			if wait > want || wait < want-500*time.Millisecond {
				t.Fatalf("reservation %d waits %v; want just under %v", k, wait, want)
			}
		}
	})
	t.Run("the key expires when its state no longer matters", func(t *testing.T) {
		ttl := rdb.PTTL(ctx, prefix+"gcra").Val()
		if ttl <= 6*time.Second || ttl > 8*time.Second {
			t.Fatalf("PTTL = %v; want about 7s (the TAT: a burst of 3 and 4 reservations at 1s each)", ttl)
		}
	})
	t.Run("a wait past the deadline fails at once without reserving", func(t *testing.T) {
		before := rdb.Get(ctx, prefix+"gcra").Val()
		dctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := l.Wait(dctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait = %v; want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 150*time.Millisecond {
			t.Fatalf("Wait took %v; want an answer at once", d)
		}
		if after := rdb.Get(ctx, prefix+"gcra").Val(); after != before {
			t.Fatalf("the TAT moved from %s to %s", before, after)
		}
	})
}

func TestLimiterWaitPacesRequests(t *testing.T) {
	rdb, prefix := testRedis(t)
	l, err := NewLimiter(rdb, prefix+"pace", Limit{Requests: 20, Per: time.Second, Burst: 5})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range 15 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// 5 at once, then 10 at 50ms each: at least 500ms.
	if d := time.Since(start); d < 450*time.Millisecond {
		t.Fatalf("15 Waits took %v; want at least 500ms", d)
	}
}

func TestLimiterThrottleIsSeenByEveryLimiter(t *testing.T) {
	rdb, prefix := testRedis(t)
	other := redis.NewClient(&redis.Options{Addr: sharedAddr})
	defer other.Close()
	lim := Limit{Requests: 1000, Per: time.Second, Burst: 10}
	a, err := NewLimiter(rdb, prefix+"k", lim)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewLimiter(other, prefix+"k", lim)
	if err != nil {
		t.Fatal(err)
	}
	a.Throttle(context.Background(), 2*time.Second)
	for name, l := range map[string]*Limiter{"the throttled limiter": a, "another client's limiter": b} {
		t.Run(name+" waits until the pause ends", func(t *testing.T) {
			ok, wait, err := l.reserve(context.Background(), "", 0)
			if err != nil || ok {
				t.Fatalf("reserve = %v, %v; want refused", ok, err)
			}
			if wait < time.Second || wait > 2*time.Second {
				t.Fatalf("wait %v; want just under 2s", wait)
			}
		})
	}
	t.Run("a shorter throttle does not shorten the pause", func(t *testing.T) {
		b.Throttle(context.Background(), time.Millisecond)
		if _, wait, _ := a.reserve(context.Background(), "", 0); wait < time.Second {
			t.Fatalf("wait %v; want the 2s pause to hold", wait)
		}
	})
}

func TestLimiterOperationLimit(t *testing.T) {
	rdb, prefix := testRedis(t)
	srv := clerktest.NewServer()
	defer srv.Close()
	org := srv.AddOrganization("Acme")
	l, err := NewLimiter(rdb, prefix+"k", Limit{Requests: 100, Per: 100 * time.Second, Burst: 100},
		WithOperationLimit("ListOrganizationMemberships", Limit{Requests: 2, Per: time.Hour, Burst: 2}))
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client(clerk.WithLimiter(l))
	call := func(op, path string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := c.Do(ctx, &clerk.Request{Operation: op, Method: http.MethodGet, Path: path}, nil)
		return err
	}
	t.Run("the operation gets its own burst", func(t *testing.T) {
		for range 2 {
			if err := call("ListOrganizationMemberships", "organizations/"+org+"/memberships"); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("beyond it the operation waits past the deadline", func(t *testing.T) {
		err := call("ListOrganizationMemberships", "organizations/"+org+"/memberships")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("third ListOrganizationMemberships = %v; want context.DeadlineExceeded", err)
		}
	})
	t.Run("other operations use only the shared budget", func(t *testing.T) {
		for range 5 {
			if err := call("ListInstanceOrganizationMemberships", "organization_memberships"); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("the shared budget counts the operation's requests too", func(t *testing.T) {
		// 100 of burst; 2 + 5 used: 93 left at once.
		var n int
		for {
			ok, _, err := l.reserve(context.Background(), "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			n++
		}
		if n < 92 || n > 94 {
			t.Fatalf("%d left of the shared burst; want about 93", n)
		}
	})
	if got := srv.CountRequests(http.MethodGet, "/v1/organizations/"+org+"/memberships"); got != 2 {
		t.Fatalf("server saw %d ListOrganizationMemberships; want 2", got)
	}
}

// countingLimiter counts Waits.
type countingLimiter struct{ n atomic.Int64 }

func (c *countingLimiter) Wait(ctx context.Context) error { c.n.Add(1); return ctx.Err() }

func TestLimiterFallbackWhileRedisIsDown(t *testing.T) {
	needRedis(t)
	s, err := startRedis(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Stop() }()
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer rdb.Close()
	fb := &countingLimiter{}
	l, err := NewLimiter(rdb, "fallback", Limit{Requests: 1000, Per: time.Second, Burst: 1000}, WithFallback(fb))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t.Run("with Redis up the fallback is not used", func(t *testing.T) {
		for range 10 {
			if err := l.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if fb.n.Load() != 0 {
			t.Fatalf("fallback used %d times", fb.n.Load())
		}
	})
	port := s.Addr[strings.LastIndex(s.Addr, ":")+1:]
	s.Stop()
	t.Run("with Redis down every Wait uses the fallback", func(t *testing.T) {
		for range 10 {
			if err := l.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if fb.n.Load() != 10 {
			t.Fatalf("fallback used %d times; want 10", fb.n.Load())
		}
	})
	t.Run("when Redis is back the shared budget is used again", func(t *testing.T) {
		var pn int
		for _, r := range port {
			pn = pn*10 + int(r-'0')
		}
		s2, err := startRedis(t.TempDir(), pn)
		if err != nil {
			t.Fatal(err)
		}
		s = s2
		time.Sleep(retryRedisAfter + 100*time.Millisecond)
		before := fb.n.Load()
		for range 10 {
			if err := l.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if got := fb.n.Load() - before; got != 0 {
			t.Fatalf("fallback used %d times after recovery; want 0", got)
		}
		if n := rdb.Exists(ctx, "fallback").Val(); n != 1 {
			t.Fatalf("the shared key exists %d times in the new Redis; want 1", n)
		}
	})
}

func TestDefaultFallbackIsASixteenth(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer rdb.Close()
	l, err := NewLimiter(rdb, "k", Limit{Requests: 160, Per: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// 10 per second: 6 Waits take at least 500ms.
	start := time.Now()
	for range 6 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 450*time.Millisecond {
		t.Fatalf("6 Waits on the fallback took %v; want at least 500ms (10 per second)", d)
	}
}
