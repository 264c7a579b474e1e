package clerkredis

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/redis/go-redis/v9"
)

// helperEnv, when set, makes the test binary a fleet worker (TestHelperProcess).
const helperEnv = "CLERKREDIS_TEST_HELPER"

// TestHelperProcess is one worker of a fleet: started again by runFleet, it
// sends requests as fast as its clerkredis limiter lets it.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("a helper process of TestFleet, not a test of its own")
	}
	if err := fleetWorker(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func fleetWorker() error {
	env := os.Getenv
	requests, _ := strconv.Atoi(env("FLEET_REQUESTS"))
	per, _ := time.ParseDuration(env("FLEET_PER"))
	run, _ := time.ParseDuration(env("FLEET_RUN"))
	rdb := redis.NewClient(&redis.Options{Addr: env("FLEET_REDIS")})
	defer rdb.Close()
	l, err := NewLimiter(rdb, env("FLEET_KEY"), Limit{Requests: requests, Per: per})
	if err != nil {
		return err
	}
	c, err := clerk.NewClient(env("FLEET_SECRET"), clerk.WithBaseURL(env("FLEET_URL")), clerk.WithLimiter(l),
		clerk.WithRetryPolicy(clerk.RetryPolicy{}))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), run)
	defer cancel()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				_, _ = c.Do(ctx, &clerk.Request{Operation: "ListOrganizationMemberships", Method: http.MethodGet, Path: "organizations/" + env("FLEET_ORG") + "/memberships"}, nil)
			}
		})
	}
	wg.Wait()
	return nil
}

// fleetResult is what the server saw of a fleet's run.
type fleetResult struct {
	ok, refused int
}

// runFleet runs n worker processes sharing one budget of requests per per,
// for run, against srv limited to that budget. The workers' limiter keeps 5%
// of it in hand: the server counts in fixed windows by arrival, and a request
// scheduled just before a window's end can arrive just after it.
func runFleet(t testing.TB, n, requests int, per, run time.Duration) fleetResult {
	t.Helper()
	rdb, prefix := testRedis(t)
	_ = rdb
	srv := clerktest.NewServer()
	defer srv.Close()
	org := srv.AddOrganization("Acme")
	srv.SetRateLimit(requests, per)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
		cmd.Env = append(os.Environ(), helperEnv+"=1",
			"FLEET_REDIS="+sharedAddr, "FLEET_KEY="+prefix+"fleet", "FLEET_URL="+srv.URL,
			"FLEET_SECRET="+srv.SecretKey, "FLEET_ORG="+org, "FLEET_REQUESTS="+strconv.Itoa(requests*95/100),
			"FLEET_PER="+per.String(), "FLEET_RUN="+run.String())
		wg.Go(func() {
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("worker %d: %v: %s", i, err, out)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	var r fleetResult
	for _, req := range srv.Requests() {
		switch req.Status {
		case http.StatusOK:
			r.ok++
		case http.StatusTooManyRequests:
			r.refused++
		}
	}
	return r
}

func TestFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	const requests, workers = 100, 4
	per, run := time.Second, 3*time.Second
	r := runFleet(t, workers, requests, per, run)
	budget := int(float64(requests) * run.Seconds() / per.Seconds())
	t.Logf("%d workers: %d answered, %d refused, of a budget of %d", workers, r.ok, r.refused, budget)
	t.Run("no request of the fleet is refused", func(t *testing.T) {
		if r.refused != 0 {
			t.Fatalf("%d requests answered 429", r.refused)
		}
	})
	t.Run("the fleet uses at least 90% of the budget", func(t *testing.T) {
		if r.ok*10 < budget*9 {
			t.Fatalf("%d requests answered of a budget of %d", r.ok, budget)
		}
	})
}
