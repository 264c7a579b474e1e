package clerk

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// countingServer answers every request with answer and counts them.
func countingServer(t *testing.T, answer http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		answer(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func emptyPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(pageJSON(0)))
}

func TestTheLimiterWaitIsNotBoundedByTheHTTPClientTimeout(t *testing.T) {
	srv, n := countingServer(t, emptyPage)
	hc := &http.Client{Timeout: 500 * time.Millisecond}
	// The second call waits about 1 s for a token, twice the timeout.
	c, err := NewClient(testKey, WithBaseURL(srv.URL), WithHTTPClient(hc), WithRateLimit(1, 1), WithRetryPolicy(RetryPolicy{}))
	require.NoError(t, err)
	for i := range 2 {
		_, _, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
		require.NoError(t, err, "call %d", i+1)
	}
	assert.EqualValues(t, 2, n.Load())
}

// failingLimiter lets the first n waits through and refuses the others.
type failingLimiter struct {
	n     int32
	waits atomic.Int32
}

var errLimiterDown = errors.New("limiter backend unavailable")

func (l *failingLimiter) Wait(context.Context) error {
	if l.waits.Add(1) > l.n {
		return errLimiterDown
	}
	return nil
}

func TestALimiterErrorIsReturnedAtOnceAndNeverRetried(t *testing.T) {
	l := &failingLimiter{n: 1}
	c, api := newMockClient(t, []httpmock.Responder{status(503), ok(pageJSON(0))}, WithLimiter(l))
	_, resp, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	require.ErrorIs(t, err, errLimiterDown)
	assert.Nil(t, resp)
	assert.EqualValues(t, 2, l.waits.Load(), "one wait before each attempt, none after the refusal")
	assert.Len(t, api.Requests(), 1, "the refused attempt is not sent")
}

func TestALimiterWaitBeyondTheDeadlineIsDeadlineExceededForEveryLimiter(t *testing.T) {
	for name, opt := range map[string]Option{
		"WithRateLimit":             WithRateLimit(0.1, 1),
		"WithLimiter(rate.Limiter)": WithLimiter(rate.NewLimiter(0.1, 1)),
	} {
		t.Run(name, func(t *testing.T) {
			c, api := newMockClient(t, []httpmock.Responder{ok(pageJSON(0))}, opt)
			_, _, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_, _, err = c.OrganizationMemberships.ListForInstance(ctx, nil)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Len(t, api.Requests(), 1)
		})
	}
}

func TestResponsesNeverCarryTheAuthorizationHeader(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{ok(pageJSON(0)), jsonResponder(404, `{"errors":[{"code":"resource_not_found","message":"not found"}]}`)})
	_, resp, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	require.NoError(t, err)
	require.NotNil(t, resp.Request)
	assert.Empty(t, resp.Request.Header.Get("Authorization"))
	assert.NotEmpty(t, resp.Request.Header.Get("Clerk-Api-Version"), "other headers stay")

	_, _, err = c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	require.NotNil(t, apiErr.Response)
	require.NotNil(t, apiErr.Response.Request)
	assert.Empty(t, apiErr.Response.Request.Header.Get("Authorization"))
	for _, r := range api.Requests() {
		assert.Equal(t, "Bearer "+testKey, r.Header.Get("Authorization"), "the key is still sent")
	}
}

func TestDoWithABodilessSuccessLeavesVAsItWas(t *testing.T) {
	for name, responder := range map[string]httpmock.Responder{
		"204":       httpmock.NewStringResponder(204, ""),
		"empty 200": httpmock.NewStringResponder(200, ""),
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := newMockClient(t, []httpmock.Responder{responder})
			v := map[string]any{"kept": true}
			resp, err := c.Do(context.Background(), &Request{Operation: "Ping", Method: http.MethodDelete, Path: "things/1"}, &v)
			require.NoError(t, err)
			require.NotNil(t, resp)
			assert.Equal(t, map[string]any{"kept": true}, v)
		})
	}
}

// recordingThrottler is a Limiter and Throttler that records its Throttle calls.
type recordingThrottler struct {
	mu    sync.Mutex
	calls []throttleCall
}

type throttleCall struct {
	op   string
	wait time.Duration
}

func (*recordingThrottler) Wait(context.Context) error { return nil }

func (r *recordingThrottler) Throttle(ctx context.Context, retryAfter time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, throttleCall{OperationName(ctx), retryAfter})
}

func TestA429WithinMaxWaitThrottlesTheLimiterOnce(t *testing.T) {
	th := &recordingThrottler{}
	policy := RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Second}
	c, api := newMockClient(t, []httpmock.Responder{jsonResponder(429, `{"errors":[]}`, "Retry-After", "1"), ok(pageJSON(0))},
		WithLimiter(th), WithRetryPolicy(policy))
	_, _, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	require.NoError(t, err)
	assert.Len(t, api.Requests(), 2)
	assert.Equal(t, []throttleCall{{"InstanceGetOrganizationMemberships", time.Second}}, th.calls)
}

func TestA429BeyondMaxWaitDoesNotThrottle(t *testing.T) {
	th := &recordingThrottler{}
	c, _ := newMockClient(t, []httpmock.Responder{jsonResponder(429, `{"errors":[]}`, "Retry-After", "3600")},
		WithLimiter(th), WithRetryPolicy(fastRetries))
	_, _, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Empty(t, th.calls)
}

func TestTheRateLimitBucketPausesEveryWaitAfterThrottle(t *testing.T) {
	tb := &tokenBucket{lim: rate.NewLimiter(rate.Inf, 1)}
	var _ Throttler = tb
	tb.Throttle(context.Background(), 150*time.Millisecond)
	start := time.Now()
	require.NoError(t, tb.Wait(context.Background()))
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)

	tb.Throttle(context.Background(), time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, tb.Wait(ctx), context.DeadlineExceeded, "a pause beyond the deadline is not waited out")
}
